#!/usr/bin/env node
/**
 * A worker process that answers assignments of a replay study with recorded learning curves.
 * Usage: node replay-worker.js --endpoint tcp://127.0.0.1:PORT --dataset NAME [--capacity N] [--peer-id ID]
 *        [--pace-ms MS]  (spread each run's reports over MS milliseconds, as if it were training: demos,
 *        and tests that interrupt a run midway)
 * It is a real protocol peer (ZeroMQ DEALER, Hello/heartbeats/acks), so a replay exercises the same path
 * as training workers; only the "training" is a table look-up.
 */
import { parseArgs } from "node:util";
import { nadir } from "@nadir/protocol";
import { NadirWorker, TrialFailure } from "@nadir/worker";
import { loadReplayDataset, type ReplayDataError, runForIteration } from "./replay.js";

const { values } = parseArgs({
  options: {
    endpoint: { type: "string" },
    dataset: { type: "string" },
    capacity: { type: "string", default: "16" },
    "peer-id": { type: "string" },
    "pace-ms": { type: "string", default: "0" },
  },
});
const paceMs = Number(values["pace-ms"]);
if (!(Number.isFinite(paceMs) && paceMs >= 0)) {
  process.stderr.write(`replay-worker: --pace-ms must be a number >= 0, got ${values["pace-ms"]}\n`);
  process.exit(2);
}
const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    });
  });
if (!values.endpoint || !values.dataset) {
  process.stderr.write("replay-worker: --endpoint and --dataset are required\n");
  process.exit(2);
}
const ds = loadReplayDataset(values.dataset);
const worker = new NadirWorker(
  {
    endpoint: values.endpoint,
    capacity: Number(values.capacity),
    workloads: [`replay:${ds.name}`],
    ...(values["peer-id"] ? { peerId: values["peer-id"] } : {}),
  },
  async (ctx) => {
    let run: ReturnType<typeof runForIteration>;
    try {
      run = runForIteration(ds, ctx.params.iteration);
    } catch (err) {
      throw new TrialFailure(nadir.v1.FailureKind.FAILURE_KIND_INFEASIBLE, (err as ReplayDataError).message);
    }
    const pause = run.curve.length ? paceMs / run.curve.length : 0;
    for (const p of run.curve) {
      if (ctx.signal.aborted) break;
      if (pause > 0) await sleep(pause, ctx.signal);
      ctx.report(p.step, p.metrics);
    }
    if (paceMs > 0 && run.curve.length === 0) await sleep(paceMs, ctx.signal);
    return { step: run.final.step, metrics: run.final.metrics };
  },
);
const stop = (): void => {
  void worker.close({ goodbye: true }).then(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
await worker.start();
await worker.done();
await worker.close();
process.exit(0);
