/**
 * The report's "Why the study stopped" section: the study stopper's story, list then law. What the list
 * reached, what the i.i.d. search added, and the stopper's verdict: the bound Ĝ on what `in_trials` more
 * search trials would gain at the rule's confidence (from the fitted noisy-quadratic tail of the search
 * scores: Lourie, He & Cho 2025) against the threshold G, evaluation by evaluation.
 *
 * Its numbers come from the stopper's decisions, not from the analyze JSON, so they are tagged
 * `data-stopping="<path into the stopping input>"` (never `data-path`, which points into the analysis).
 */
import { figure, notAvailable, pctText, renderBoth, section, tableRows } from "./html.js";
import { escapeHtml, formatNumber } from "./numbers.js";
import { stoppingGainSpec, stoppingLogScale } from "./stopping-plot.js";
import {
  type AnalyzeResult,
  isUnavailable,
  type ReportInput,
  type StoppingDecisionView,
  type StoppingStory,
} from "./types.js";

/** The section's id (it follows the summary, and is left out when the input has no `stopping`). */
export const STOPPING_SECTION_ID = "stopping";

/** Tables of at most this many evaluations are shown whole; longer ones keep the first 3 and the last 8. */
export const STOPPING_TABLE_MAX = 12;

/**
 * The rows of the decision table: every index when there are at most {@link STOPPING_TABLE_MAX}, else the
 * first 3, a gap (`"gap"`), and the last 8 (the start of the story and how it ended).
 */
export function stoppingRowsShown(n: number): Array<number | "gap"> {
  const all = Array.from({ length: n }, (_, i) => i);
  if (n <= STOPPING_TABLE_MAX) return all;
  return [...all.slice(0, 3), "gap", ...all.slice(n - 8)];
}

/** The section's title for the study's outcome. */
export function stoppingTitle(outcome: StoppingStory["outcome"]): string {
  if (outcome === "stopped") return "Why the study stopped";
  return "The stopper's verdict";
}

/** A number of the stopping input, formatted, with its path and exact value; null prints "—". */
function num(path: string, v: number | null): string {
  if (v === null) return "—";
  return `<span class="num" data-stopping="${escapeHtml(path)}" data-value="${escapeHtml(JSON.stringify(v))}">${escapeHtml(formatNumber(v))}</span>`;
}

/** A count, as plain digits (counts are integers; formatNumber would keep them as they are). */
const int = (n: number) => escapeHtml(formatNumber(n));

/** A sentence from a message that may lack its full stop. */
function sentence(text: string): string {
  const t = text.trim();
  return escapeHtml(/[.!?]$/.test(t) ? t : `${t}.`);
}

/** A set of integers as runs in braces: [1, 2, 3, 7] → "{1–3, 7}"; empty → "none". */
function cSet(values: number[]): string {
  if (values.length === 0) return "none";
  const parts: string[] = [];
  let i = 0;
  while (i < values.length) {
    let j = i;
    while (j + 1 < values.length && (values[j + 1] as number) === (values[j] as number) + 1) j++;
    const a = values[i] as number;
    const b = values[j] as number;
    parts.push(j === i ? `${a}` : j === i + 1 ? `${a}, ${b}` : `${a}–${b}`);
    i = j + 1;
  }
  return `{${parts.join(", ")}}`;
}

/** The best-score interval of a decision; an end that is null is open ("at most hi"). */
function intervalText(d: StoppingDecisionView, p: string): string {
  const lo = num(`${p}.best_lower`, d.best_lower);
  const hi = num(`${p}.best_upper`, d.best_upper);
  if (d.best_lower === null && d.best_upper === null) return "—";
  if (d.best_lower === null) return `at most ${hi}`;
  if (d.best_upper === null) return `at least ${lo}`;
  return `[${lo}, ${hi}]`;
}

/** Width of a decision's best-score interval, when both ends are known. */
function width(d: StoppingDecisionView): number | null {
  return d.best_lower !== null && d.best_upper !== null ? d.best_upper - d.best_lower : null;
}

/** Why an evaluation let the study go on, in words (a clause; `p` is the decision's path). */
function continueWhy(s: StoppingStory, d: StoppingDecisionView, p: string): string {
  const conf = pctText(d.confidence);
  switch (d.reason) {
    case "gain-above-threshold":
      return d.gain_bound === null
        ? `${int(d.in_trials)} more search trials could still gain more than the threshold ${num(`${p}.gain_threshold`, d.gain_threshold)}`
        : `${int(d.in_trials)} more search trials could still gain up to ${num(`${p}.gain_bound`, d.gain_bound)} at ${conf}, above the threshold ${num(`${p}.gain_threshold`, d.gain_threshold)}`;
    case "too-few-trials":
      return `it had ${int(d.search_trials)} search trials, fewer than the ${int(s.rule.min_trials)} it needs to decide`;
    case "no-fit":
      return "the asymptotic law could not be fitted to the search trials, so there was no bound to stop on";
    case "no-consistent-tail":
      return "no noisy-quadratic tail was consistent with the search scores, so there was no bound to trust";
    case "too-few-tail-points":
      return `only ${int(d.tail_points)} search scores lay beyond the regime threshold θ = ${num(`${p}.regime_threshold`, d.regime_threshold)}, too few for a fit a stop may rest on`;
    case "set-touches-edge":
      return `the plausible fits (c in ${cSet(d.accepted_c)}) reached the edge of the range searched, so their bound could not be trusted`;
    case "analysis-failed":
      return `the analysis failed (${escapeHtml(d.message)})`;
    default:
      return escapeHtml(d.message);
  }
}

/** The clause of a stop: the bound under the threshold, or the narrow interval. */
function stopWhy(s: StoppingStory, d: StoppingDecisionView, p: string): string {
  const conf = pctText(d.confidence);
  if (d.reason === "interval-narrow") {
    const w = width(d);
    const asked = s.rule.max_interval_width;
    return `at ${conf} confidence the best reachable score lies in ${intervalText(d, p)}, an interval ${w === null ? "" : `${escapeHtml(formatNumber(w))} `}wide${asked === null ? "" : `, no wider than the ${num("rule.max_interval_width", asked)} the rule asks`}`;
  }
  return `at ${conf} confidence, ${int(d.in_trials)} more search trials would gain at most ${num(`${p}.gain_bound`, d.gain_bound)}, below the threshold ${num(`${p}.gain_threshold`, d.gain_threshold)}`;
}

/** The headline: how the study ended, in one sentence. */
export function stoppingHeadline(s: StoppingStory): string {
  const n = s.decisions.length;
  const last = s.decisions[n - 1];
  const p = `decisions[${n - 1}]`;
  const searchSoFar = s.search?.trials ?? 0;
  const never = `the stopper never evaluated: it needs ${int(s.rule.min_trials)} search trials first, and the study had ${int(searchSoFar)}.`;
  if (s.outcome === "stopped" && last) {
    const head = `Stopped after ${int(last.search_trials)} search trials (${int(s.final_trials)} trials in all): `;
    if (last.reason === "interval-narrow") {
      const w = width(last);
      return `${head}the best reachable score lies in ${intervalText(last, p)} at ${pctText(last.confidence)}, an interval ${w === null ? "" : `${escapeHtml(formatNumber(w))} `}wide${s.rule.max_interval_width === null ? "" : ` (the rule stops at ${num("rule.max_interval_width", s.rule.max_interval_width)} or narrower)`}.`;
    }
    return `${head}${int(last.in_trials)} more would gain at most ${num(`${p}.gain_bound`, last.gain_bound)} at ${pctText(last.confidence)} (threshold ${num(`${p}.gain_threshold`, last.gain_threshold)}).`;
  }
  if (s.outcome === "budget-spent")
    return `Ran its whole budget of ${int(s.max_trials)} trials; ${last ? `the stopper's last word: ${sentence(last.message)}` : never}`;
  return `Still running (${int(s.final_trials)} of ${int(s.max_trials)} trials so far); ${
    last
      ? `the stopper's last word: ${sentence(last.message)}`
      : `the stopper has not evaluated yet: it needs ${int(s.rule.min_trials)} search trials first (${int(searchSoFar)} so far).`
  }`;
}

/**
 * The story, list then law: what the list reached, what the search added over it (an improvement is
 * list − search when minimizing, search − list when maximizing), and why the stopper stopped or went on.
 */
export function stoppingStoryText(s: StoppingStory, direction: AnalyzeResult["direction"]): string {
  const minimize = direction === "minimize";
  const parts: string[] = [];
  const l = s.list;
  if (l === null) parts.push("No list ran first.");
  else if (l.best === null)
    parts.push(
      `The list <code>${escapeHtml(l.name)}</code> ran first: its ${int(l.trials)} trials gave no score.`,
    );
  else
    parts.push(
      `The list <code>${escapeHtml(l.name)}</code> ran first: its ${int(l.trials)} trials reached ${num("list.best", l.best)}.`,
    );
  const q = s.search;
  const after = l === null ? "" : " then";
  if (q === null || q.trials === 0) parts.push(`No i.i.d. search trial ran${l === null ? "" : " after it"}.`);
  else if (q.best === null) parts.push(`${int(q.trials)} search trials${after} ran, none with a score yet.`);
  else {
    let vsList = "";
    if (l !== null && l.best !== null) {
      const gain = minimize ? l.best - q.best : q.best - l.best;
      vsList =
        gain > 0
          ? ` (an improvement of ${escapeHtml(formatNumber(gain))} over the list)`
          : " (no improvement over the list: the list's best stands)";
    }
    parts.push(`${int(q.trials)} search trials${after} reached ${num("search.best", q.best)}${vsList}.`);
  }
  const n = s.decisions.length;
  const last = s.decisions[n - 1];
  const p = `decisions[${n - 1}]`;
  if (s.outcome === "stopped" && last) {
    const running = s.final_trials - last.study_trials;
    parts.push(
      `The stopper ended the study there: ${stopWhy(s, last, p)}.${
        running > 0
          ? ` Trials already running then finished: the study ended with ${int(s.final_trials)} trials, ${int(running)} more than the ${int(last.study_trials)} the stopper counted.`
          : ""
      }`,
    );
  } else if (s.outcome === "budget-spent")
    parts.push(
      last
        ? `The stopper never found it worth stopping: at its last evaluation (${int(last.search_trials)} search trials) ${continueWhy(s, last, p)}, so the study ran to its budget.`
        : `The stopper never evaluated (it needs ${int(s.rule.min_trials)} search trials first), so the study ran to its budget.`,
    );
  else
    parts.push(
      last
        ? `At its last evaluation (${int(last.search_trials)} search trials) ${continueWhy(s, last, p)}, so the search goes on; the stopper looks again after ${int(s.rule.every)} more search trials.`
        : `The stopper first evaluates once ${int(s.rule.min_trials)} search trials have finished.`,
    );
  return parts.join(" ");
}

/** The decision table (shortened by {@link stoppingRowsShown}). */
function decisionTable(s: StoppingStory): string {
  const rows = stoppingRowsShown(s.decisions.length).map((i) => {
    if (i === "gap") {
      const hidden = s.decisions.length - 11;
      return ["…", `${int(hidden)} more evaluations`, "", "", "", ""];
    }
    const d = s.decisions[i] as StoppingDecisionView;
    const p = `decisions[${i}]`;
    const rel =
      d.gain_bound === null
        ? ""
        : d.gain_bound < d.gain_threshold
          ? " &lt; "
          : d.gain_bound > d.gain_threshold
            ? " &gt; "
            : " = ";
    const gain =
      d.gain_bound === null
        ? `— (threshold ${num(`${p}.gain_threshold`, d.gain_threshold)})`
        : `${num(`${p}.gain_bound`, d.gain_bound)}${rel}${num(`${p}.gain_threshold`, d.gain_threshold)}`;
    const verdict = `${d.stop ? "<strong>stop</strong>" : "continue"}: ${escapeHtml(d.reason.replace(/-/g, " "))}`;
    return [int(d.search_trials), int(d.study_trials), gain, intervalText(d, p), cSet(d.accepted_c), verdict];
  });
  return tableRows(rows, [
    "search trials",
    "all trials",
    "gain bound Ĝ vs threshold G",
    `best-score interval`,
    "plausible c",
    "verdict: reason",
  ]);
}

/** The rule in one sentence. */
function ruleText(s: StoppingStory): string {
  const r = s.rule;
  return `<p class="note"><strong>The rule:</strong> stop when, at ${pctText(r.confidence)} confidence, ${int(r.in_trials)} more i.i.d. search trials would gain less than ${num("rule.gain", r.gain)}${
    r.max_interval_width === null
      ? ""
      : `, or when the best reachable score's interval is at most ${num("rule.max_interval_width", r.max_interval_width)} wide`
  }; first evaluated after ${int(r.min_trials)} search trials, then after every ${int(r.every)} more, each time on exactly the trials finished by then. Trials proposed by the list are not part of the fit (they are not random-search draws). The gain bound Ĝ is an upper bound that holds at ${pctText(r.confidence)} confidence, so it is larger than the median gain the "k more trials gain about" card gives.</p>`;
}

/** The plot of Ĝ against search trials, or a note when no evaluation had a bound. */
async function gainPlot(s: StoppingStory): Promise<string> {
  const bounds = s.decisions.map((d) => d.gain_bound).filter((g): g is number => g !== null);
  if (bounds.length === 0)
    return `<p class="note">No evaluation had a fitted bound on the gain, so there is nothing to plot.</p>`;
  const points = s.decisions.map((d) => ({
    search_trials: d.search_trials,
    gain_bound: d.gain_bound,
    stop: d.stop,
  }));
  const svg = await renderBoth(
    "stopping",
    (layout) =>
      stoppingGainSpec({
        points,
        threshold: s.rule.gain,
        inTrials: s.rule.in_trials,
        confidence: s.rule.confidence,
        layout,
      }),
    "st",
  );
  const log = stoppingLogScale([...bounds, s.rule.gain]);
  const skipped = s.decisions.length - bounds.length;
  const how = `Each dot is one evaluation of the stopper: the bound, at ${pctText(s.rule.confidence)} confidence, on what ${int(s.rule.in_trials)} more search trials would gain over the best search score so far, from the asymptotic law fitted to the search trials. The study stops at the first evaluation whose bound falls below the dashed threshold G (large dark dot).${
    skipped > 0
      ? ` ${int(skipped)} evaluation${skipped === 1 ? "" : "s"} without a fit (see the table) ${skipped === 1 ? "has" : "have"} no bound and ${skipped === 1 ? "is" : "are"} not drawn.`
      : ""
  }${log ? " The bounds span more than two decades, so the vertical axis is logarithmic." : ""}`;
  return figure("stopping", svg, how);
}

/**
 * The section, or "" when the input has no `stopping` (a study without a stopper); `{ unavailable }`
 * renders its reason.
 */
export async function stoppingSection(input: ReportInput): Promise<string> {
  const st = input.stopping;
  if (st === undefined) return "";
  if (isUnavailable(st))
    return section(STOPPING_SECTION_ID, "Why the study stopped", notAvailable(st.unavailable), "unavailable");
  const s = st as StoppingStory;
  const body = `<p class="stop-headline" data-outcome="${escapeHtml(s.outcome)}"><strong>${stoppingHeadline(s)}</strong></p>
<p class="stop-story">${stoppingStoryText(s, input.analysis.direction)}</p>
${await gainPlot(s)}
${ruleText(s)}
${s.decisions.length > 0 ? `<h3>Every evaluation of the stopper</h3>${decisionTable(s)}` : ""}`;
  return section(STOPPING_SECTION_ID, stoppingTitle(s.outcome), body);
}
