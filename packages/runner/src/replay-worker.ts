#!/usr/bin/env node
/**
 * A worker process that answers assignments of a replay study with recorded learning curves.
 * Usage: node replay-worker.js --endpoint tcp://127.0.0.1:PORT --dataset NAME [--capacity N] [--peer-id ID]
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
  },
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
    for (const p of run.curve) {
      if (ctx.signal.aborted) break;
      ctx.report(p.step, p.metrics);
    }
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
