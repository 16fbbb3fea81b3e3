#!/usr/bin/env node
// A minimal Nadir worker in TypeScript/JavaScript (the README's example; test/example.test.ts runs it
// against a real `nadir serve`). It "trains" a toy model whose loss is a bowl around learning_rate = 1e-3:
// it reports the loss every 10 steps, stops early when the coordinator asks, and returns the final loss.
//
//   node packages/worker/examples/minimal-worker.mjs tcp://127.0.0.1:5555
import { NadirWorker, sleep } from "@nadir/worker";

const endpoint = process.argv[2] ?? "tcp://127.0.0.1:5555";

const worker = new NadirWorker({ endpoint, peerId: `minimal-${process.pid}`, capacity: 1 }, async (ctx) => {
  const lr = Number(ctx.params.learning_rate ?? 1e-3);
  const steps = Number(ctx.assignment.stepBudget);
  let loss = Number.NaN;
  let step = 0;
  while (step < steps && !ctx.signal.aborted) {
    step += 1;
    await sleep(1, ctx.signal); // one training step
    loss = (Math.log10(lr) + 3) ** 2 + 1 / step;
    if (step % 10 === 0) ctx.report(step, { loss });
  }
  return { step, metrics: { loss } };
});

await worker.start(); // Hello -> Welcome (rejects with WorkerRefusedError if refused)
console.log(`worker ${worker.peerId}: connected to ${endpoint}`);
process.once("SIGTERM", () => void worker.close({ goodbye: true })); // preempted: the trial is re-queued
await worker.done(); // until the coordinator says Shutdown (nadir serve --exit-when-done)
console.log(`worker ${worker.peerId}: ${worker.stats.completed} attempts finished`);
