/**
 * The stopper's section ("list then law"): the headline for each outcome, the story, the decision table
 * (numbers exact), the plot spec (threshold rule, log-scale switch), validation of the input, and text a
 * reader can trust (escaped, no NaN/Infinity/exponent).
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type AnalyzeResult,
  CONTINUE_REASONS,
  ReportInputError,
  renderReport,
  SECTION_IDS,
  type StoppingDecisionView,
  type StoppingStory,
  stoppingHeadline,
  stoppingRowsShown,
  stoppingStoryText,
} from "../src/index.js";
import { renderSvg, stoppingGainSpec, stoppingLogScale } from "../src/plots.js";
import { validateStopping } from "../src/stopping-input.js";
import { MIN_PLOT_FONT } from "../src/theme.js";
import { analyzeLike, derivedScores } from "./fixtures.js";

let minimizeAnalysis: AnalyzeResult;
let maximizeAnalysis: AnalyzeResult;

beforeAll(() => {
  const ys = derivedScores("deberta-v3-base_error_rate").slice(0, 64);
  minimizeAnalysis = analyzeLike(ys, true, 0.11);
  maximizeAnalysis = analyzeLike(
    ys.map((y) => 1 - y),
    false,
    0.89,
  );
});

function decision(
  search: number,
  gain: number | null,
  over: Partial<StoppingDecisionView> = {},
): StoppingDecisionView {
  return {
    search_trials: search,
    study_trials: search + 5,
    stop: false,
    reason: "gain-above-threshold",
    message: `continue after ${search} trials: 64 more could gain up to ${gain}`,
    gain_bound: gain,
    gain_threshold: 0.002,
    in_trials: 64,
    confidence: 0.8,
    best_observed: 0.0905,
    best_lower: 0.085,
    best_upper: 0.09,
    accepted_c: [1, 2, 3],
    regime_threshold: 0.1,
    tail_points: 20,
    ...over,
  };
}

const RULE: StoppingStory["rule"] = {
  gain: 0.002,
  in_trials: 64,
  min_trials: 16,
  every: 8,
  confidence: 0.8,
  max_interval_width: null,
};

function stoppedStory(): StoppingStory {
  return {
    rule: RULE,
    decisions: [
      decision(16, null, {
        reason: "too-few-tail-points",
        tail_points: 5,
        best_lower: null,
        best_upper: null,
      }),
      decision(24, 0.3),
      decision(32, 0.05),
      decision(40, 0.01),
      decision(48, 0.0012, {
        stop: true,
        reason: "gain-below-threshold",
        message: "stop after 48 trials: 64 more would gain at most 0.0012 at 80% (threshold 0.002)",
      }),
    ],
    outcome: "stopped",
    max_trials: 128,
    final_trials: 55,
    list: { name: "lists/v1", trials: 5, best: 0.1 },
    search: { trials: 50, best: 0.0905 },
  };
}

/** The text a reader sees in a piece of HTML: tags stripped, entities decoded, spaces collapsed. */
function text(html: string): string {
  return html
    .replace(/<svg[\s\S]*?<\/svg>/g, " ")
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}

function stoppingSection(page: string): string {
  const m = page.match(/<section id="stopping"[\s\S]*?<\/section>/);
  if (!m) throw new Error("stopping section missing");
  return m[0];
}

const headline = (s: string) => text(s.match(/<p class="stop-headline"[\s\S]*?<\/p>/)?.[0] ?? "");
const story = (s: string) => text(s.match(/<p class="stop-story">[\s\S]*?<\/p>/)?.[0] ?? "");
const title = (s: string) => text(s.match(/<h2>[\s\S]*?<\/h2>/)?.[0] ?? "");

function tableRowsText(s: string): string[][] {
  const body = s.match(/<tbody>([\s\S]*?)<\/tbody>/)?.[1] ?? "";
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) =>
    [...(r[1] as string).matchAll(/<td>([\s\S]*?)<\/td>/g)].map((c) => text(c[1] as string)),
  );
}

async function render(stopping: StoppingStory, analysis = minimizeAnalysis): Promise<string> {
  return stoppingSection(await renderReport({ analysis, stopping }));
}

describe("a study the stopper ended (gain below the threshold)", () => {
  let page: string;
  let s: string;
  beforeAll(async () => {
    page = await renderReport({ analysis: minimizeAnalysis, stopping: stoppedStory() });
    s = stoppingSection(page);
  });

  it("comes right after the summary, titled for the outcome", () => {
    const ids = [...page.matchAll(/<section id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toEqual(["summary", "stopping", ...SECTION_IDS.slice(1)]);
    expect(title(s)).toBe("Why the study stopped");
  });

  it("says in its headline when, with what bound, at what confidence, against what threshold", () => {
    expect(headline(s)).toBe(
      "Stopped after 48 search trials (55 trials in all): 64 more would gain at most 0.0012 at 80% (threshold 0.002).",
    );
  });

  it("tells the story: what the list reached, what search added, why it stopped", () => {
    expect(story(s)).toBe(
      "The list lists/v1 ran first: its 5 trials reached 0.1. 50 search trials then reached 0.0905 " +
        "(an improvement of 0.0095 over the list). The stopper ended the study there: at 80% confidence, " +
        "64 more search trials would gain at most 0.0012, below the threshold 0.002. Trials already running " +
        "then finished: the study ended with 55 trials, 2 more than the 53 the stopper counted.",
    );
  });

  it("lists every evaluation with its numbers", () => {
    expect(tableRowsText(s)).toEqual([
      ["16", "21", "— (threshold 0.002)", "—", "{1–3}", "continue: too few tail points"],
      ["24", "29", "0.3 > 0.002", "[0.085, 0.09]", "{1–3}", "continue: gain above threshold"],
      ["32", "37", "0.05 > 0.002", "[0.085, 0.09]", "{1–3}", "continue: gain above threshold"],
      ["40", "45", "0.01 > 0.002", "[0.085, 0.09]", "{1–3}", "continue: gain above threshold"],
      ["48", "53", "0.0012 < 0.002", "[0.085, 0.09]", "{1–3}", "stop: gain below threshold"],
    ]);
  });

  it("tags each number with its path in the stopping input and its exact value (never data-path)", () => {
    expect(s).toContain('data-stopping="decisions[4].gain_bound" data-value="0.0012"');
    expect(s).toContain('data-stopping="list.best" data-value="0.1"');
    expect(s).not.toMatch(/<span class="num" data-path=/);
  });

  it("draws the plot twice (wide and narrow), the narrow one phone-sized with text ≥ 12 px", () => {
    const fig = s.match(/<figure class="plot" data-plot="stopping">([\s\S]*?)<\/figure>/)?.[1] ?? "";
    const svgs = [...fig.matchAll(/<svg data-layout="(wide|narrow)"[^>]*? width="([\d.]+)"/g)];
    expect(svgs.map((m) => m[1])).toEqual(["wide", "narrow"]);
    expect(Number(svgs[1]?.[2])).toBeLessThanOrEqual(344);
    const sizes = [...fig.matchAll(/font-size="([\d.]+)px"/g)].map((m) => Number(m[1]));
    expect(sizes.length).toBeGreaterThan(10);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(MIN_PLOT_FONT);
    expect(fig).toContain("the vertical axis is logarithmic");
    expect(fig).toContain("1 evaluation without a fit (see the table) has no bound and is not drawn");
  });

  it("prints no NaN, Infinity, ∞ or exponent, in its text or its plot", () => {
    const all = s.replace(/<[^>]+>/g, " ");
    expect(all).not.toMatch(/\bNaN\b|\bnan\b|Infinity|∞/);
    expect(all).not.toMatch(/\d(?:\.\d+)?[eE][+\-−]?\d/);
  });
});

describe("a stop on a narrow best-score interval", () => {
  it("gives the interval and its width instead of the bound", async () => {
    const st = stoppedStory();
    st.rule = { ...RULE, max_interval_width: 0.003 };
    st.decisions[4] = decision(48, 0.004, {
      stop: true,
      reason: "interval-narrow",
      best_lower: 0.085,
      best_upper: 0.0875,
      message: "stop after 48 trials: the best score lies in [0.085, 0.0875]",
    });
    const s = await render(st);
    expect(headline(s)).toBe(
      "Stopped after 48 search trials (55 trials in all): the best reachable score lies in [0.085, 0.0875] at 80%, an interval 0.0025 wide (the rule stops at 0.003 or narrower).",
    );
    expect(story(s)).toContain(
      "The stopper ended the study there: at 80% confidence the best reachable score lies in [0.085, 0.0875], an interval 0.0025 wide, no wider than the 0.003 the rule asks.",
    );
    expect(tableRowsText(s)[4]).toEqual([
      "48",
      "53",
      "0.004 > 0.002",
      "[0.085, 0.0875]",
      "{1–3}",
      "stop: interval narrow",
    ]);
  });
});

describe("a study that spent its budget", () => {
  it("gives the stopper's last word and why it went on", async () => {
    const st: StoppingStory = {
      ...stoppedStory(),
      decisions: [decision(16, 0.02), decision(24, 0.009)],
      outcome: "budget-spent",
      max_trials: 30,
      final_trials: 30,
      search: { trials: 25, best: 0.092 },
    };
    const s = await render(st);
    expect(title(s)).toBe("The stopper's verdict");
    expect(headline(s)).toBe(
      "Ran its whole budget of 30 trials; the stopper's last word: continue after 24 trials: 64 more could gain up to 0.009.",
    );
    expect(story(s)).toBe(
      "The list lists/v1 ran first: its 5 trials reached 0.1. 25 search trials then reached 0.092 " +
        "(an improvement of 0.008 over the list). The stopper never found it worth stopping: at its last " +
        "evaluation (24 search trials) 64 more search trials could still gain up to 0.009 at 80%, above the " +
        "threshold 0.002, so the study ran to its budget.",
    );
    expect(tableRowsText(s)).toHaveLength(2);
  });

  it("says the stopper never evaluated when it had too few search trials", async () => {
    const st: StoppingStory = {
      ...stoppedStory(),
      decisions: [],
      outcome: "budget-spent",
      max_trials: 12,
      final_trials: 12,
      search: { trials: 7, best: 0.095 },
    };
    const s = await render(st);
    expect(headline(s)).toBe(
      "Ran its whole budget of 12 trials; the stopper never evaluated: it needs 16 search trials first, and the study had 7.",
    );
    expect(story(s)).toContain(
      "The stopper never evaluated (it needs 16 search trials first), so the study ran to its budget.",
    );
    expect(s).not.toContain("<table");
  });
});

describe("a running study", () => {
  it("with decisions: the last word, and when the stopper looks again", async () => {
    const st: StoppingStory = {
      ...stoppedStory(),
      decisions: [
        decision(16, null, {
          reason: "no-consistent-tail",
          message: "continue: no tail is consistent",
          best_lower: null,
          best_upper: 0.09,
        }),
      ],
      outcome: "running",
      final_trials: 22,
      search: { trials: 17, best: 0.0905 },
    };
    const s = await render(st);
    expect(title(s)).toBe("The stopper's verdict");
    expect(headline(s)).toBe(
      "Still running (22 of 128 trials so far); the stopper's last word: continue: no tail is consistent.",
    );
    expect(story(s)).toContain(
      "At its last evaluation (16 search trials) no noisy-quadratic tail was consistent with the search scores, so there was no bound to trust, so the search goes on; the stopper looks again after 8 more search trials.",
    );
    expect(tableRowsText(s)[0]?.[3]).toBe("at most 0.09");
    // No decision had a bound: nothing to plot, said in words.
    expect(s).not.toContain("<svg");
    expect(s).toContain("No evaluation had a fitted bound on the gain");
  });

  it("without decisions: not evaluated yet", async () => {
    const st: StoppingStory = {
      ...stoppedStory(),
      decisions: [],
      outcome: "running",
      final_trials: 10,
      search: { trials: 5, best: 0.1 },
    };
    expect(headline(await render(st))).toBe(
      "Still running (10 of 128 trials so far); the stopper has not evaluated yet: it needs 16 search trials first (5 so far).",
    );
  });
});

describe("the story's edge cases", () => {
  it("maximize: an improvement is search − list", async () => {
    const st = {
      ...stoppedStory(),
      list: { name: "L", trials: 5, best: 0.9 },
      search: { trials: 50, best: 0.915 },
    };
    expect(story(await render(st, maximizeAnalysis))).toMatch(
      /^The list L ran first: its 5 trials reached 0\.9\. 50 search trials then reached 0\.915 \(an improvement of 0\.015 over the list\)\./,
    );
  });

  it("no improvement over the list, for either direction", async () => {
    const min = { ...stoppedStory(), search: { trials: 50, best: 0.11 } };
    expect(story(await render(min))).toContain("(no improvement over the list: the list's best stands)");
    const max = {
      ...stoppedStory(),
      list: { name: "L", trials: 5, best: 0.9 },
      search: { trials: 50, best: 0.9 },
    };
    expect(story(await render(max, maximizeAnalysis))).toContain("(no improvement over the list");
  });

  it("no list, and a list or a search without a score", async () => {
    expect(story(await render({ ...stoppedStory(), list: null }))).toMatch(
      /^No list ran first\. 50 search trials reached 0\.0905\. The stopper/,
    );
    const noScores = {
      ...stoppedStory(),
      outcome: "running" as const,
      decisions: [],
      list: { name: "L", trials: 3, best: null },
      search: { trials: 4, best: null },
    };
    expect(story(await render(noScores))).toMatch(
      /^The list L ran first: its 3 trials gave no score\. 4 search trials then ran, none with a score yet\./,
    );
  });

  it("escapes the message and the list's name", async () => {
    const st: StoppingStory = {
      ...stoppedStory(),
      decisions: [decision(16, 0.01, { message: '<img src=x onerror="alert(1)"> & more' })],
      outcome: "budget-spent",
      final_trials: 128,
      list: { name: "<b>list</b>", trials: 5, best: 0.1 },
    };
    const s = await render(st);
    expect(s).not.toContain("<img");
    expect(s).not.toContain("<b>list</b>");
    expect(s).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; more.");
    expect(s).toContain("<code>&lt;b&gt;list&lt;/b&gt;</code>");
  });
});

describe("long tables", () => {
  it("show every row up to 12, else the first 3, a gap and the last 8", async () => {
    expect(stoppingRowsShown(12)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(stoppingRowsShown(13)).toEqual([0, 1, 2, "gap", 5, 6, 7, 8, 9, 10, 11, 12]);
    const ds = Array.from({ length: 20 }, (_, i) => decision(16 + 8 * i, 0.5 / (i + 1)));
    const last = ds[19] as StoppingDecisionView;
    ds[19] = { ...last, gain_bound: 0.001, stop: true, reason: "gain-below-threshold" };
    const st: StoppingStory = {
      ...stoppedStory(),
      decisions: ds,
      max_trials: 300,
      final_trials: 200,
      search: { trials: 168, best: 0.09 },
    };
    const rows = tableRowsText(await render(st));
    expect(rows.map((r) => r[0])).toEqual([
      "16",
      "24",
      "32",
      "…",
      "112",
      "120",
      "128",
      "136",
      "144",
      "152",
      "160",
      "168",
    ]);
    expect(rows[3]).toEqual(["…", "9 more evaluations", "", "", "", ""]);
  });
});

describe("absent and unavailable", () => {
  it("absent: no section; unavailable: the reason", async () => {
    const none = await renderReport({ analysis: minimizeAnalysis });
    expect(none).not.toContain('id="stopping"');
    const na = stoppingSection(
      await renderReport({
        analysis: minimizeAnalysis,
        stopping: { unavailable: "the study has no <stopper>" },
      }),
    );
    expect(text(na)).toBe("Why the study stopped Not available: the study has no <stopper>");
    expect(na).toContain("no &lt;stopper&gt;");
  });
});

describe("validation of the stopping input", () => {
  const bad = async (mutate: (s: StoppingStory) => void, path: RegExp) => {
    const st = structuredClone(stoppedStory());
    mutate(st);
    const p = renderReport({ analysis: minimizeAnalysis, stopping: st });
    await expect(p).rejects.toThrow(ReportInputError);
    await expect(renderReport({ analysis: minimizeAnalysis, stopping: st })).rejects.toThrow(path);
  };

  it("names the offending field", async () => {
    await bad((s) => {
      s.rule.gain = 0;
    }, /^stopping\.rule\.gain: must be a positive finite number, got 0/);
    await bad((s) => {
      s.rule.confidence = 1;
    }, /^stopping\.rule\.confidence: must be in \(0, 1\)/);
    await bad((s) => {
      (s as { outcome: string }).outcome = "done";
    }, /^stopping\.outcome: must be "stopped", "budget-spent" or "running", got "done"/);
    await bad((s) => {
      (s.decisions[1] as StoppingDecisionView).reason = "gain-below-threshold";
    }, /^stopping\.decisions\[1\]\.reason: must be one of gain-above-threshold, .* for a decision to continue/);
    await bad((s) => {
      (s.decisions[4] as StoppingDecisionView).gain_bound = Number.NaN;
    }, /^stopping\.decisions\[4\]\.gain_bound: must be a finite number or null/);
    await bad((s) => {
      (s.decisions[4] as StoppingDecisionView).gain_bound = null;
    }, /^stopping\.decisions\[4\]\.gain_bound: must be a number for a stop on gain-below-threshold/);
    await bad((s) => {
      (s.decisions[2] as StoppingDecisionView).search_trials = 10;
    }, /^stopping\.decisions\[2\]\.search_trials: must not be below the previous decision's \(24\)/);
    await bad((s) => {
      (s.decisions[3] as StoppingDecisionView).accepted_c = [0];
    }, /^stopping\.decisions\[3\]\.accepted_c\[0\]: must be an integer ≥ 1/);
    await bad((s) => {
      (s.decisions[1] as StoppingDecisionView).best_lower = 0.1;
    }, /^stopping\.decisions\[1\]\.best_upper: must be at least best_lower/);
    await bad((s) => {
      s.decisions.pop();
    }, /^stopping\.outcome: is "stopped", so the last decision must be a stop/);
    await bad((s) => {
      s.final_trials = 129;
    }, /^stopping\.final_trials: must be at most max_trials \(128\)/);
    await bad((s) => {
      s.final_trials = 40;
    }, /^stopping\.decisions\[3\]\.study_trials: must be at most final_trials \(40\), got 45/);
    await bad((s) => {
      s.search = { trials: 30, best: 0.1 };
    }, /^stopping\.search\.trials: must be at least the last decision's search_trials \(48\)/);
    await bad((s) => {
      s.list = { name: "", trials: 5, best: 0.1 };
    }, /^stopping\.list\.name: must be a non-empty string/);
    await bad((s) => {
      (s as { list: unknown }).list = undefined;
    }, /^stopping\.list: must be an object/);
  });
});

describe("the plot's spec", () => {
  type Layer = {
    data?: { values: Array<Record<string, unknown>> };
    mark?: { type: string; strokeDash?: number[] };
    encoding?: { y?: { scale?: { type?: string; domain?: number[] } } };
    layer?: Layer[];
  };
  const spec = (bounds: Array<number | null>, threshold = 0.002) =>
    stoppingGainSpec({
      points: bounds.map((g, i) => ({
        search_trials: 16 + 8 * i,
        gain_bound: g,
        stop: i === bounds.length - 1,
      })),
      threshold,
      inTrials: 64,
      confidence: 0.8,
    }) as unknown as { layer: Layer[] };

  it("has a dashed rule at the threshold", () => {
    const s = spec([0.3, 0.05, 0.001]);
    const rule = s.layer[0]?.layer?.find((l) => l.mark?.type === "rule");
    expect(rule?.mark?.strokeDash).toEqual([6, 4]);
    expect(s.layer[0]?.data?.values[0]?.g).toBe(0.002);
  });

  it("switches to a log y axis when the bounds span two decades, linear otherwise", () => {
    expect(stoppingLogScale([0.3, 0.001, 0.002])).toBe(true);
    expect(stoppingLogScale([0.01, 0.005, 0.002])).toBe(false);
    expect(stoppingLogScale([0.3, 0, 0.002])).toBe(false);
    const log = spec([0.3, 0.05, 0.001]);
    expect(log.layer[1]?.encoding?.y?.scale?.type).toBe("log");
    const lin = spec([0.01, 0.005, 0.003]);
    expect(lin.layer[1]?.encoding?.y?.scale?.type).toBeUndefined();
    expect(lin.layer[1]?.encoding?.y?.scale?.domain?.[0]).toBe(0);
  });

  it("skips evaluations without a bound and draws the stop apart", () => {
    const s = spec([null, 0.05, 0.01, 0.001]);
    expect(s.layer[1]?.data?.values.map((r) => r.k)).toEqual([24, 32, 40]);
    expect(s.layer[2]?.data?.values.map((r) => r.k)).toEqual([24, 32]);
    expect(s.layer[3]?.data?.values.map((r) => r.k)).toEqual([40]);
  });

  it("renders a log axis in digits, without exponents", async () => {
    const svg = await renderSvg("stopping", spec([0.3, 0.05, 0.00001]) as never, "t");
    const labels = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1] as string);
    expect(labels.some((l) => /^0\.000\d+$/.test(l))).toBe(true);
    for (const l of labels) expect(l).not.toMatch(/\d[eE][+\-−]?\d/);
  });
});

describe("property: any valid story reads without NaN, Infinity, undefined or null", () => {
  const num = fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true });
  const pos = fc.double({ min: 1e-9, max: 1e3, noNaN: true, noDefaultInfinity: true });
  const reason = fc.constantFrom(...CONTINUE_REASONS);
  const story = fc
    .record({
      bounds: fc.array(fc.option(pos, { nil: null }), { maxLength: 15 }),
      reasons: fc.array(reason, { minLength: 15, maxLength: 15 }),
      lows: fc.array(fc.option(num, { nil: null }), { minLength: 15, maxLength: 15 }),
      outcome: fc.constantFrom("stopped", "budget-spent", "running"),
      list: fc.option(fc.record({ trials: fc.nat(20), best: fc.option(num, { nil: null }) }), { nil: null }),
      searchBest: fc.option(num, { nil: null }),
      width: fc.option(pos, { nil: null }),
      // A message is the coordinator's text, printed as given: keep words that the check looks for out of it.
      message: fc.string().filter((m) => !/nan|infinity|undefined|null|n\/a|∞|\d/i.test(m)),
    })
    .map((r): StoppingStory => {
      const n = r.bounds.length;
      const outcome = n === 0 && r.outcome === "stopped" ? "running" : r.outcome;
      const decisions = r.bounds.map((g, i): StoppingDecisionView => {
        const stop = outcome === "stopped" && i === n - 1;
        const lo = r.lows[i] ?? null;
        return decision(16 + 8 * i, stop ? (g ?? 0.001) : g, {
          stop,
          reason: stop ? "gain-below-threshold" : (r.reasons[i] as string),
          message: r.message,
          best_lower: lo,
          best_upper: lo === null ? null : lo + 0.01,
        });
      });
      const search = 16 + 8 * Math.max(0, n - 1);
      return {
        rule: { ...RULE, max_interval_width: r.width },
        decisions,
        outcome,
        max_trials: 1000,
        final_trials: search + 10,
        list: r.list === null ? null : { name: "L", ...r.list },
        search: { trials: search, best: r.searchBest },
      };
    });

  it("validates, and its headline and story print only numbers", () => {
    fc.assert(
      fc.property(story, fc.constantFrom("minimize", "maximize"), (s, direction) => {
        validateStopping(s);
        const t =
          text(stoppingHeadline(s)) + text(stoppingStoryText(s, direction as "minimize" | "maximize"));
        expect(t).not.toMatch(/\bNaN\b|Infinity|undefined|\bnull\b|∞|\bn\/a\b/);
        expect(t).not.toMatch(/\d(?:\.\d+)?[eE][+\-−]?\d/);
      }),
      { numRuns: 300 },
    );
  });
});
