/**
 * @nadir/runner: local runs (embedded coordinator + journal + spawned worker processes) and replay of
 * recorded random searches through the same coordinator and workers.
 */
export * from "./devices.js";
export * from "./errors.js";
export * from "./local-run.js";
export * from "./replay.js";

import path from "node:path";
import { fileURLToPath } from "node:url";

/** Path of the compiled replay worker entry (`node REPLAY_WORKER --endpoint E --dataset NAME`). */
export const REPLAY_WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), "replay-worker.js");
export * from "./python.js";
