/**
 * A suggester that lives in another process (a peer with role SUGGESTER), driven through the same
 * Suggester interface as the built-ins: `suggest` becomes a SuggestRequest/SuggestResponse round trip and
 * `observe` an ObserveTrials message.
 */
import type { nadir } from "@nadir/protocol";
import type { ParameterValue, Suggester, TrialResult } from "@nadir/sdk";

/** What an external suggester needs from the coordinator's wire shell. */
export interface SuggesterLink {
  /** Sends a SuggestRequest to a connected suggester peer; undefined when none is connected. */
  requestSuggestions(
    spec: nadir.v1.StudySpec,
    count: number,
    history: TrialResult[],
    pending: nadir.v1.TrialRef.$Properties[],
    timeoutMs?: number,
  ): Promise<nadir.v1.SuggestResponse | undefined>;
  /** Sends ObserveTrials to the study's suggester peer(s). */
  observeExternal(spec: nadir.v1.StudySpec, results: readonly TrialResult[]): void;
}

/** Drives an external suggester process (role SUGGESTER) through the same Suggester interface. */
export class ExternalSuggester implements Suggester {
  readonly name: string;
  constructor(
    private readonly link: SuggesterLink,
    private readonly spec: nadir.v1.StudySpec,
  ) {
    this.name = `external:${spec.suggester?.external?.algorithm || spec.suggester?.external?.suggesterId || "any"}`;
  }
  async suggest(
    count: number,
    ctx: { history: readonly TrialResult[]; pending: readonly nadir.v1.TrialRef.$Properties[] },
  ): Promise<{
    suggestions: {
      parameters: Record<string, ParameterValue>;
      listIndex?: number;
      metadata?: Record<string, string>;
    }[];
    exhausted: boolean;
  }> {
    const r = await this.link.requestSuggestions(this.spec, count, [...ctx.history], [...ctx.pending]);
    if (!r) return { suggestions: [], exhausted: false };
    return {
      suggestions: r.suggestions.map((s) => ({
        parameters: s.parameters as Record<string, ParameterValue>,
        ...(s.listIndex !== null && s.listIndex !== undefined ? { listIndex: s.listIndex } : {}),
        ...(s.metadata ? { metadata: s.metadata } : {}),
      })),
      exhausted: r.exhausted,
    };
  }
  observe(results: readonly TrialResult[]): void {
    this.link.observeExternal(this.spec, results);
  }
}
