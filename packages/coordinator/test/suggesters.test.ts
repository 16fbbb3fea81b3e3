/**
 * The built-in suggesters serve @nadir/core's lists and samplers: the same points `nadir sample` and
 * `nadir lists show` give, whatever the batch sizes the coordinator asks for.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { getList, gridPoints, type SearchSpace, sample } from "@nadir/core";
import type { nadir } from "@nadir/protocol";
import type { ParameterValue, Suggester, Suggestion } from "@nadir/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { materialize } from "../src/materialize.js";
import { loadStudyFile } from "../src/study.js";
import { builtinSuggester, SuggesterConfigError } from "../src/suggesters.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A study through the real loader (user-facing study JSON -> StudySpec). */
function study(extra: Record<string, unknown>): nadir.v1.StudySpec {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nadir-suggesters-"));
  dirs.push(dir);
  const file = path.join(dir, "s.study.json");
  fs.writeFileSync(
    file,
    JSON.stringify({
      id: "s",
      searchSpace: {
        parameters: [
          { name: "learning_rate", type: "float", min: 1e-4, max: 1e-2, scale: "log" },
          {
            name: "one_minus_beta1",
            type: "float",
            min: 4e-3,
            max: 0.1,
            scale: "log",
            transform: "one_minus",
            as: "beta1",
          },
          { name: "beta2", type: "fixed", value: 0.999 },
          { name: "weight_decay", type: "float", min: 5e-3, max: 1.0, scale: "log" },
          { name: "warmup_factor", type: "discrete", values: [0.02, 0.05, 0.1] },
        ],
      },
      objective: { metric: "loss", direction: "minimize" },
      budget: { trials: 12, parallelism: 2 },
      stepBudget: 1000,
      optimizer: { name: "nadamw", variant: "algoperf" },
      ...extra,
    }),
  );
  return loadStudyFile(file);
}

/** The same space in @nadir/core's model (written out by hand, not through the coordinator's mapping). */
const CORE_SPACE: SearchSpace = {
  parameters: [
    {
      name: "learning_rate",
      domain: { kind: "float", min: 1e-4, max: 1e-2, scale: "log" },
      transform: "identity",
    },
    {
      name: "one_minus_beta1",
      domain: { kind: "float", min: 4e-3, max: 0.1, scale: "log" },
      transform: "identity",
    },
    { name: "beta2", domain: { kind: "fixed", value: 0.999 }, transform: "identity" },
    {
      name: "weight_decay",
      domain: { kind: "float", min: 5e-3, max: 1.0, scale: "log" },
      transform: "identity",
    },
    { name: "warmup_factor", domain: { kind: "discrete", values: [0.02, 0.05, 0.1] }, transform: "identity" },
  ],
};

function plain(p: Record<string, ParameterValue>): Record<string, number | string | boolean> {
  const out: Record<string, number | string | boolean> = {};
  for (const [k, v] of Object.entries(p))
    out[k] = (v.floatValue ??
      (v.intValue !== undefined && v.intValue !== null ? Number(v.intValue) : undefined) ??
      v.stringValue ??
      v.boolValue) as number | string | boolean;
  return out;
}

/** Asks in uneven batches (as the coordinator does when workers come and go) until `n` or exhausted. */
async function drain(
  s: Suggester,
  spec: nadir.v1.StudySpec,
  n: number,
  batches = [1, 3, 2, 5],
): Promise<Suggestion[]> {
  const out: Suggestion[] = [];
  for (let i = 0; out.length < n; i++) {
    const b = await s.suggest(Math.min(batches[i % batches.length] as number, n - out.length), {
      study: spec,
      history: [],
      pending: [],
      created: out.length,
    });
    out.push(...b.suggestions);
    if (b.exhausted) break;
  }
  return out;
}

describe("list suggester", () => {
  it("list \"algoperf-nadamw-5\" serves core's AlgoPerf baseline list exactly, then core's Halton", async () => {
    const spec = study({
      suggester: { kind: "list", list: "algoperf-nadamw-5", fallback: { kind: "halton", seed: 42 } },
    });
    const s = builtinSuggester(spec) as Suggester;
    expect(s.name).toBe("list:algoperf-nadamw-5");
    const got = await drain(s, spec, 12);
    expect(got).toHaveLength(12);
    const list = getList("algoperf-v0.5-nadamw-baseline@1");
    expect(list.points).toHaveLength(5);
    // The AlgoPerf JSON's own digits (tuning_search_space.json), independent of core's transcription.
    expect(plain(got[0]?.parameters as Record<string, ParameterValue>).learning_rate).toBe(
      0.001308209823469072,
    );
    expect(plain(got[3]?.parameters as Record<string, ParameterValue>).beta2).toBe(0.6291854735396584);
    list.points.forEach((p, i) => {
      const g = got[i] as Suggestion;
      expect(g.listIndex).toBe(i);
      // What a worker trains with is core's point, bit for bit.
      const m = materialize(spec, g.parameters);
      const nadamw = m.optimizer?.nadamw;
      expect(nadamw?.learningRate).toBe(p.learning_rate);
      expect(nadamw?.beta1).toBe(p.beta1);
      expect(nadamw?.beta2).toBe(p.beta2);
      expect(nadamw?.weightDecay).toBe(p.weight_decay);
      expect(m.optimizer?.schedule?.warmupFraction).toBe(p.warmup_fraction);
      expect(m.optimizer?.schedule?.warmupSteps).toBe(Math.floor(p.warmup_fraction * 1000));
      expect(m.optimizer?.regularization?.dropoutRate).toBe(p.dropout_rate);
      expect(m.optimizer?.regularization?.labelSmoothing).toBe(p.label_smoothing);
      // Served in the study's space: one_minus_beta1 and AlgoPerf's warmup_factor name.
      expect(Object.keys(g.parameters).sort()).toEqual([
        "beta2",
        "dropout_rate",
        "label_smoothing",
        "learning_rate",
        "one_minus_beta1",
        "warmup_factor",
        "weight_decay",
      ]);
      expect(Math.abs((plain(g.parameters).one_minus_beta1 as number) - (1 - p.beta1))).toBeLessThan(1e-15);
    });
    // The fallback: the 12 - 5 = 7 budget points of `nadir sample --sampler halton --n 7 --seed 42`.
    const halton = sample(CORE_SPACE, "halton", 7, { seed: 42 });
    expect(got.slice(5).map((g) => plain(g.parameters))).toEqual(halton);
    expect(got.slice(5).every((g) => g.listIndex === undefined)).toBe(true);
    // Exports name who proposed each point: the list itself, then its fallback.
    expect(got.slice(0, 5).every((g) => g.source === undefined)).toBe(true);
    expect(got.slice(5).every((g) => g.source === "list:algoperf-nadamw-5>halton")).toBe(true);
  });

  it("core names and name@version work; fields outside the space keep core's names", async () => {
    const spec = study({ suggester: { kind: "list", list: "medapati2025-nadamw@1" } });
    spec.searchSpace = null;
    const got = await drain(builtinSuggester(spec) as Suggester, spec, 10);
    const list = getList("medapati2025-nadamw@1");
    expect(got).toHaveLength(5); // no fallback: exhausted after the list
    got.forEach((g, i) => {
      const p = list.points[i] as (typeof list.points)[number];
      expect(plain(g.parameters)).toEqual({
        learning_rate: p.learning_rate,
        beta1: p.beta1,
        beta2: p.beta2,
        weight_decay: p.weight_decay,
        warmup_fraction: p.warmup_fraction,
        dropout_rate: p.dropout_rate,
        label_smoothing: p.label_smoothing,
      });
    });
    const alias = study({ suggester: { kind: "list", list: "medapati-nadamw-5" } });
    alias.searchSpace = null;
    expect((await drain(builtinSuggester(alias) as Suggester, alias, 5)).map((g) => g.parameters)).toEqual(
      got.map((g) => g.parameters),
    );
  });

  it("an unknown list is a SuggesterConfigError naming the known ones", () => {
    const spec = study({ suggester: { kind: "list", list: "no-such-list" } });
    expect(() => builtinSuggester(spec)).toThrow(SuggesterConfigError);
    expect(() => builtinSuggester(spec)).toThrow(/algoperf-nadamw-5.*medapati2025-nadamw@1/);
  });
});

describe("samplers", () => {
  it("halton = core's AlgoPerf Halton over the budget, independent of the batch split", async () => {
    const spec = study({ suggester: { kind: "halton", seed: 7 } });
    const a = await drain(builtinSuggester(spec) as Suggester, spec, 12, [12]);
    const b = await drain(builtinSuggester(spec) as Suggester, spec, 12, [1, 4, 2]);
    expect(a.map((g) => plain(g.parameters))).toEqual(sample(CORE_SPACE, "halton", 12, { seed: 7 }));
    expect(b).toEqual(a);
    // discrete values come back as floats, fixed as the study wrote it
    expect(a[0]?.parameters.warmup_factor).toHaveProperty("floatValue");
    expect(a[0]?.parameters.beta2).toEqual({ floatValue: 0.999 });
  });

  it("random = core's MT19937 stream, point by point", async () => {
    const spec = study({ suggester: { kind: "random", seed: 3 } });
    const got = await drain(builtinSuggester(spec) as Suggester, spec, 12);
    expect(got.map((g) => plain(g.parameters))).toEqual(sample(CORE_SPACE, "random", 12, { seed: 3 }));
  });

  it("grid = core's grid (levels from the budget when unset), exhausted at its end", async () => {
    const spec = study({ suggester: { kind: "grid" }, budget: { trials: 100, parallelism: 2 } });
    const got = await drain(builtinSuggester(spec) as Suggester, spec, 100);
    const expected = sample(CORE_SPACE, "grid", 100, { seed: 0 });
    expect(expected.length).toBeLessThanOrEqual(100);
    expect(got.map((g) => plain(g.parameters))).toEqual(expected);
    const two = study({ suggester: { kind: "grid", pointsPerDimension: 2 } });
    const g2 = await drain(builtinSuggester(two) as Suggester, two, 1000);
    expect(g2.map((g) => plain(g.parameters))).toEqual(gridPoints(CORE_SPACE, 2));
    expect(g2).toHaveLength(2 * 2 * 2 * 3);
  });

  it("no suggester given: Halton with seed 0", async () => {
    const spec = study({});
    spec.suggester = null;
    const got = await drain(builtinSuggester(spec) as Suggester, spec, 12);
    expect(got.map((g) => plain(g.parameters))).toEqual(sample(CORE_SPACE, "halton", 12, { seed: 0 }));
  });
});
