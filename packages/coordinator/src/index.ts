/**
 * @nadir/coordinator: the hub that turns studies into trials on remote workers over ZeroMQ and never
 * loses a result (crash-safe journal, leases, idempotent results), with suggester and stopper plugins.
 */

export * from "./client.js";
export * from "./coordinator.js";
export * from "./crc32c.js";
export * from "./errors.js";
export * from "./export.js";
export * from "./journal.js";
export * from "./keys.js";
export * from "./materialize.js";
export * from "./scheduler.js";
export * from "./serve.js";
export * from "./state/index.js";
export * from "./stoppers.js";
export * from "./study.js";
export * from "./suggesters.js";
export * from "./zap.js";
