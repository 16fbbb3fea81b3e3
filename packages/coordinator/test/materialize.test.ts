/**
 * The OptimizerConfig a worker receives in a TrialAssignment is @nadir/core's materialisation (what
 * `nadir lists show --steps` prints), field for field, after the protobuf round trip a worker's decoder
 * sees; warmup steps are also checked against Python's own int()/round() (independent of core).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { materialize as coreMaterialize, getList } from "@nadir/core";
import { nadir } from "@nadir/protocol";
import type { ParameterValue } from "@nadir/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { MaterializeError, materialize } from "../src/materialize.js";
import { loadStudyFile, StudyValidationError } from "../src/study.js";
import { builtinSuggester } from "../src/suggesters.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A study through the real loader (user-facing study JSON -> StudySpec), in AlgoPerf's space names. */
function study(extra: Record<string, unknown>): nadir.v1.StudySpec {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nadir-materialize-"));
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
          { name: "beta2", type: "float", min: 0.5, max: 0.999 },
          { name: "weight_decay", type: "float", min: 5e-3, max: 1.0, scale: "log" },
          { name: "warmup_factor", type: "discrete", values: [0.02, 0.05, 0.1] },
          { name: "dropout_rate", type: "discrete", values: [0, 0.1] },
          { name: "label_smoothing", type: "discrete", values: [0, 0.1, 0.2] },
        ],
      },
      objective: { metric: "loss", direction: "minimize" },
      budget: { trials: 5 },
      ...extra,
    }),
  );
  return loadStudyFile(file);
}

/** What a worker decodes: the assignment's optimizer after protobuf encode/decode, as plain JSON. */
function onTheWire(o: nadir.v1.OptimizerConfig.$Properties | undefined): Record<string, unknown> {
  const bytes = nadir.v1.OptimizerConfig.encode(nadir.v1.OptimizerConfig.create(o)).finish();
  return nadir.v1.OptimizerConfig.toObject(nadir.v1.OptimizerConfig.decode(bytes), {
    longs: Number,
    enums: String,
    defaults: true,
  });
}

/**
 * Warmup steps W for the lists' warmup fractions, from Python 3.11: int(f*S) (floor) and round(f*S)
 * (half to even: 0.1*25 = 2.5 -> 2, 0.02*25 = 0.5 -> 0).
 */
const PY_WARMUP: Record<number, Record<number, { floor: number; round: number }>> = {
  1: { 0.1: { floor: 0, round: 0 }, 0.05: { floor: 0, round: 0 }, 0.02: { floor: 0, round: 0 } },
  25: { 0.1: { floor: 2, round: 2 }, 0.05: { floor: 1, round: 1 }, 0.02: { floor: 0, round: 0 } },
  30: { 0.1: { floor: 3, round: 3 }, 0.05: { floor: 1, round: 2 }, 0.02: { floor: 0, round: 1 } },
  70: { 0.1: { floor: 7, round: 7 }, 0.05: { floor: 3, round: 4 }, 0.02: { floor: 1, round: 1 } },
  133333: {
    0.1: { floor: 13333, round: 13333 },
    0.05: { floor: 6666, round: 6667 },
    0.02: { floor: 2666, round: 2667 },
  },
};

const LISTS = [
  ["algoperf-nadamw-5", "algoperf-v0.5-nadamw-baseline@1"],
  ["medapati-nadamw-5", "medapati2025-nadamw@1"],
] as const;

describe("assignment OptimizerConfig = core's materialize()", () => {
  for (const [alias, full] of LISTS) {
    for (const listName of [alias, full]) {
      for (const variant of ["algoperf", "optax"] as const) {
        for (const rounding of ["floor", "round"] as const) {
          it(`${listName}, variant ${variant}, warmupRounding ${rounding}, S in ${Object.keys(PY_WARMUP).join("/")}`, async () => {
            const list = getList(full);
            for (const S of Object.keys(PY_WARMUP).map(Number)) {
              const spec = study({
                stepBudget: S,
                suggester: { kind: "list", list: listName },
                optimizer: { name: "nadamw", variant, warmupRounding: rounding },
              });
              const s = builtinSuggester(spec);
              const batch = await s?.suggest(5, { study: spec, history: [], pending: [], created: 0 });
              expect(batch?.suggestions).toHaveLength(5);
              list.points.forEach((p, i) => {
                const got = onTheWire(
                  materialize(spec, batch?.suggestions[i]?.parameters as Record<string, ParameterValue>)
                    .optimizer,
                );
                const m = coreMaterialize(p, S, { variant, rounding });
                const h = m.hyperparameters;
                expect(got).toEqual({
                  nadamw: {
                    learningRate: h.learning_rate,
                    beta1: h.beta1,
                    beta2: h.beta2,
                    epsilon: h.epsilon,
                    epsilonRoot: h.epsilon_root,
                    weightDecay: h.weight_decay,
                    variant: variant === "optax" ? "NADAMW_VARIANT_OPTAX" : "NADAMW_VARIANT_ALGOPERF",
                    decayAllParameters: true,
                  },
                  schedule: {
                    kind: "SCHEDULE_KIND_LINEAR_WARMUP_COSINE_DECAY",
                    warmupSteps: m.schedule.warmupSteps,
                    warmupFraction: m.schedule.warmupFraction,
                    warmupRounding: rounding === "floor" ? "WARMUP_ROUNDING_FLOOR" : "WARMUP_ROUNDING_ROUND",
                    totalSteps: S,
                    initValue: 0,
                    endValue: 0,
                  },
                  regularization: {
                    dropoutRate: h.dropout_rate,
                    auxDropoutRate: 0,
                    labelSmoothing: h.label_smoothing,
                  },
                  globalBatchSize: 0,
                });
                // core's point is the list's point, bit for bit, and W is Python's int()/round().
                expect([h.learning_rate, h.beta1, h.beta2, h.weight_decay, h.epsilon]).toEqual([
                  p.learning_rate,
                  p.beta1,
                  p.beta2,
                  p.weight_decay,
                  1e-8,
                ]);
                expect(m.schedule.warmupSteps).toBe(PY_WARMUP[S]?.[p.warmup_fraction]?.[rounding]);
              });
            }
          });
        }
      }
    }
  }

  it("empty optimizer settings take the protocol's defaults: algoperf, floor, ε 1e-8; a spec ε is passed on", () => {
    const spec = study({ stepBudget: 30 });
    spec.optimizerDefaults = nadir.v1.OptimizerDefaults.create({});
    const p = getList("algoperf-nadamw-5").points[1];
    if (!p) throw new Error("list has no point 2");
    const values: Record<string, ParameterValue> = {
      learning_rate: { floatValue: p.learning_rate },
      beta1: { floatValue: p.beta1 },
      warmup_fraction: { floatValue: p.warmup_fraction },
    };
    const got = materialize(spec, values).optimizer;
    // Unsearched β2, weight decay, dropout and label smoothing: 0.999, 0, 0, 0.
    const m = coreMaterialize(
      { ...p, beta2: 0.999, weight_decay: 0, dropout_rate: 0, label_smoothing: 0 },
      30,
      { variant: "algoperf", rounding: "floor" },
    );
    expect(got?.nadamw?.variant).toBe(nadir.v1.NadamwVariant.NADAMW_VARIANT_ALGOPERF);
    expect(got?.nadamw?.epsilon).toBe(1e-8);
    expect(got?.nadamw?.beta2).toBe(m.hyperparameters.beta2);
    expect(got?.nadamw?.weightDecay).toBe(0);
    expect(got?.schedule?.warmupRounding).toBe(nadir.v1.WarmupRounding.WARMUP_ROUNDING_FLOOR);
    expect(got?.schedule?.warmupSteps).toBe(1); // int(0.05 * 30)
    spec.optimizerDefaults = nadir.v1.OptimizerDefaults.create({ epsilon: 1e-6 });
    expect(materialize(spec, values).optimizer?.nadamw?.epsilon).toBe(1e-6);
  });

  it("a built-in list without an explicit variant trains the variant the list was tuned with", () => {
    const variant = (extra: Record<string, unknown>) =>
      study({ stepBudget: 100, ...extra }).optimizerDefaults?.variant;
    expect(variant({ suggester: { kind: "list", list: "medapati-nadamw-5" } })).toBe("optax");
    expect(variant({ suggester: { kind: "list", list: "medapati2025-nadamw@1" } })).toBe("optax");
    expect(variant({ suggester: { kind: "list", list: "algoperf-nadamw-5" } })).toBe("algoperf");
    // An explicit variant wins; other suggesters keep the schema's default.
    expect(
      variant({ suggester: { kind: "list", list: "medapati-nadamw-5" }, optimizer: { variant: "algoperf" } }),
    ).toBe("algoperf");
    expect(variant({ suggester: { kind: "halton" } })).toBe("algoperf");
  });

  it("a point core cannot train (beta1 = 1, warmup fraction > 1) is a typed MaterializeError", () => {
    const spec = study({ stepBudget: 100 });
    const bad1 = { learning_rate: { floatValue: 1e-3 }, one_minus_beta1: { floatValue: 0 } };
    expect(() => materialize(spec, bad1)).toThrow(MaterializeError);
    expect(() => materialize(spec, bad1)).toThrow(/^beta1: expected a value in \[0, 1\), got 1$/);
    const bad2 = { learning_rate: { floatValue: 1e-3 }, warmup_factor: { floatValue: 1.5 } };
    expect(() => materialize(spec, bad2)).toThrow(/warmupFraction: expected a fraction in \[0, 1\]/);
  });

  it("a study whose schedule core does not materialise is rejected when loaded, not trained as cosine", () => {
    expect(() => study({ stepBudget: 100, optimizer: { name: "nadamw", schedule: "constant" } })).toThrow(
      StudyValidationError,
    );
    expect(() =>
      study({ stepBudget: 100, optimizer: { name: "nadamw", schedule: "linear_warmup_linear_decay" } }),
    ).toThrow(/study optimizerDefaults\.schedule: "linear_warmup_linear_decay" is not supported/);
  });
});
