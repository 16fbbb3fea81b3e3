/**
 * Replay studies: recorded random searches served through a real coordinator (`nadir run --replay`), the
 * study labelled `nadir.replay` = the dataset's name. The recorded runs are served as list points, so
 * that they go out in their recorded order; two things follow for every reader of such a study's records,
 * and they are decided here only:
 *
 * - its list points are random-search draws, so they belong in the i.i.d. sample (list mode "include");
 * - each recorded run trained to its own length (epochs and batch size were themselves searched), so a
 *   run that completed is a full-budget draw whatever its final step, while the study's step budget is
 *   the longest run's.
 */
import type { nadir } from "@nadir/protocol";

/** The label that marks a replay study (its value: the recorded dataset's name). */
export const REPLAY_LABEL = "nadir.replay";

/** Whether the study replays a recorded random search (see the module comment). */
export function isReplayStudy(spec: nadir.v1.StudySpec.$Properties): boolean {
  return !!spec.labels?.[REPLAY_LABEL];
}
