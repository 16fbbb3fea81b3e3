/**
 * The worker-thread side of the study stopper: decodes a study's records, runs one evaluation
 * (`evaluateStudyStopper` of @nadir/results: the noisy-quadratic tail fit and its consonance set, which
 * can take a second on a few hundred scores) and posts the StopperDecision back, so the coordinator's
 * event loop keeps serving workers meanwhile. No state lives here between requests.
 * @internal
 */
import { parentPort } from "node:worker_threads";
import { nadir } from "@nadir/protocol";
import { evaluateStudyStopper } from "@nadir/results";

/** A request: `snapshot` is an encoded nadir.v1.Snapshot holding the study's spec and its trials. */
export interface StopperRequest {
  id: number;
  snapshot: Uint8Array;
  now: number;
}

/** The answer: an encoded nadir.v1.StopperDecision, or the error message of an evaluation that threw. */
export type StopperAnswer = { id: number; decision: Uint8Array } | { id: number; error: string };

parentPort?.on("message", (req: StopperRequest) => {
  let answer: StopperAnswer;
  try {
    const snap = nadir.v1.Snapshot.decode(req.snapshot);
    const spec = snap.studies[0];
    if (!spec) throw new Error("the request holds no study");
    const { decision } = evaluateStudyStopper(spec, snap.trials, { now: req.now });
    answer = {
      id: req.id,
      decision: nadir.v1.StopperDecision.encode(nadir.v1.StopperDecision.fromObject(decision)).finish(),
    };
  } catch (err) {
    answer = { id: req.id, error: (err as Error).message };
  }
  parentPort?.postMessage(answer);
});
