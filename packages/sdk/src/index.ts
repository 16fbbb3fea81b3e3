/**
 * @nadir/sdk: the plugin interfaces of the Nadir coordinator. An adapter package depends on this package
 * and on @nadir/protocol only.
 *
 * - {@link Suggester}: proposes configurations (ask for n given the history; observe results). Built-ins:
 *   list, random, Halton, grid; external processes (Optuna, Vizier) are driven through the same interface.
 * - {@link Stopper}: early-stopping rules acting on intermediate reports (ASHA / successive halving, median).
 * - {@link EventSink}: receives every trial event (for dashboards, loggers, metrics exporters).
 *
 * All values are the protocol's plain-object shapes (`nadir.v1.*.$Properties`), so what a plugin sees is
 * exactly what the journal stores and what crosses the wire.
 *
 * @module @nadir/sdk
 */
import type { nadir } from "@nadir/protocol";
import { SdkError } from "./errors.js";

export { SDK_ERROR_CODES, SdkError, type SdkErrorCode } from "./errors.js";

/** A study as the coordinator and suggesters see it. */
export type StudySpec = nadir.v1.StudySpec.$Properties;
/** One typed hyperparameter value (exactly one of floatValue, intValue, stringValue, boolValue). */
export type ParameterValue = nadir.v1.ParameterValue.$Properties;
/** One measurement: step, elapsed seconds, metrics by name. */
export type Measurement = nadir.v1.Measurement.$Properties;
/** A trial summary (state, parameters, final and intermediate measurements). */
export type TrialResult = nadir.v1.TrialResult.$Properties;
/** (study, trial, attempt). */
export type TrialRef = nadir.v1.TrialRef.$Properties;

/** One proposed point. `parameters` are search-space values by parameter name (before materialisation). */
export interface Suggestion {
  parameters: Record<string, ParameterValue>;
  /** Position in a hyperparameter list, when the point comes from one. */
  listIndex?: number;
  /**
   * Who proposed this point, when it is not the suggester itself (e.g. a list's fallback sampler);
   * journaled and exported as the trial's `suggester`. Default: the suggester's `name`.
   */
  source?: string;
  /** Opaque to the coordinator; stored in the journal with the trial. */
  metadata?: Record<string, string>;
}

/** What a suggester is told when asked for points. */
export interface SuggestContext {
  study: StudySpec;
  /**
   * Every trial created so far for the study, in trial-id order (all states, current attempt). A read-only
   * view the coordinator keeps up to date as trials change: copy what you keep past the call.
   */
  history: readonly TrialResult[];
  /** Trials queued or running (their points are "pending" for batch-aware algorithms). */
  pending: readonly TrialRef[];
  /** How many of the study's trials this suggester created (its position in a deterministic sequence). */
  created: number;
}

/** A suggester's answer. */
export interface SuggestBatch {
  /** At most the requested count; may be empty while waiting for results. */
  suggestions: Suggestion[];
  /** True when it will never propose anything again for this study (list or grid done). */
  exhausted: boolean;
}

/**
 * A search algorithm. The coordinator calls `suggest` when it needs `count` more trials and `observe` when
 * trials reach a terminal state. A suggester that derives everything from `ctx` (`created`, `history`) is
 * automatically restart-safe: the coordinator rebuilds the context from the journal after a restart.
 */
export interface Suggester {
  /** Recorded with every trial it creates, e.g. "halton", "list:algoperf-nadamw-5". */
  readonly name: string;
  /**
   * Proposes up to `count` new points.
   * @param count how many trials the coordinator wants to create now
   * @param ctx the study, its history and the pending trials
   */
  suggest(count: number, ctx: SuggestContext): SuggestBatch | Promise<SuggestBatch>;
  /** Terminal (or reported) trials; optional for stateless suggesters. */
  observe?(results: readonly TrialResult[]): void | Promise<void>;
  /** Release resources (sockets, processes) when the study ends. */
  close?(): void | Promise<void>;
}

/** Creates a suggester for a study, or returns undefined when the spec is not for this factory. */
export type SuggesterFactory = (study: StudySpec) => Suggester | undefined;

/** A running trial as a stopper sees it. */
export interface TrialView {
  ref: TrialRef;
  /** Measurements of the current attempt so far, in step order (the new one last). */
  measurements: readonly Measurement[];
}

/** A stopper's verdict on one report. */
export interface StopDecision {
  stop: boolean;
  /** Human-readable cause, journaled with the PRUNED event (e.g. "asha rung 2: 0.41 > 0.37"). */
  reason: string;
}

/**
 * An early-stopping rule. `onReport` is called for every accepted intermediate report of a running
 * attempt, in journal order (also during replay after a restart, with the verdict ignored, so stateful
 * rules rebuild their state); `onTerminal` when an attempt ends. A rule must be deterministic in the
 * sequence of calls so that replay reproduces it.
 */
export interface Stopper {
  /** Recorded with every PRUNED event it causes, e.g. "asha". */
  readonly name: string;
  /**
   * Judges one accepted intermediate report.
   * @param trial the running attempt, with its measurements so far (this one last)
   * @param measurement the new measurement
   */
  onReport(trial: TrialView, measurement: Measurement): StopDecision;
  /** Called when an attempt ends (any terminal state), so stateful rules can record its result. */
  onTerminal?(result: TrialResult): void;
}

/** A trial state change or report, as published on the event stream. */
export type TrialEvent = nadir.v1.TrialEvent.$Properties;

/** Receives every trial event, after it was journaled. Must not throw (errors are logged and dropped). */
export interface EventSink {
  /** Receives one journaled event, in journal order. */
  onEvent(event: TrialEvent): void | Promise<void>;
  /** Flushes and releases resources when the coordinator stops. */
  close?(): void | Promise<void>;
}

/** Reads a parameter value as a JS value (number, string or boolean), or undefined when none is set. */
export function parameterValue(v: ParameterValue | null | undefined): number | string | boolean | undefined {
  if (!v) return undefined;
  if (v.floatValue !== undefined && v.floatValue !== null) return v.floatValue;
  if (v.intValue !== undefined && v.intValue !== null) return Number(v.intValue);
  if (v.stringValue !== undefined && v.stringValue !== null) return v.stringValue;
  if (v.boolValue !== undefined && v.boolValue !== null) return v.boolValue;
  return undefined;
}

/**
 * The objective value of a measurement, oriented so that smaller is better: the metric itself when
 * minimising, its negation when maximising. NaN when the metric is missing.
 * @param m the measurement (may be missing)
 * @param metric the metric's name
 * @param direction nadir.v1.Direction (1 = MINIMIZE, 2 = MAXIMIZE)
 * @throws SdkError (`invalid_argument`, path `direction`) for any other direction
 */
export function orientedValue(m: Measurement | null | undefined, metric: string, direction: number): number {
  const raw = m?.metrics?.[metric];
  if (raw === undefined || raw === null) return Number.NaN;
  if (direction === 2) return -raw;
  if (direction === 1) return raw;
  throw new SdkError(
    "invalid_argument",
    "direction",
    `orientedValue: direction must be 1 (MINIMIZE) or 2 (MAXIMIZE), got ${direction}`,
  );
}
