import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { decodeEnvelope, encodeEnvelope, makeEnvelope } from "../src/framing.js";
import {
  assertStudy,
  nadir,
  SchemaValidationError,
  type StudyJson,
  searchSpaceSchema,
  searchSpaceToProto,
  studySchema,
  studyToSpec,
  validateSearchSpace,
  validateStudy,
} from "../src/index.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const readJson = (rel: string) => JSON.parse(readFileSync(path.join(repoRoot, rel), "utf8")) as unknown;
const example = () =>
  readJson("examples/studies/digits-mlp.study.json") as StudyJson & Record<string, unknown>;

/** Messages of a failed validation (fails the test if it passed). */
function messages(r: ReturnType<typeof validateStudy> | ReturnType<typeof validateSearchSpace>): string[] {
  if (r.ok) throw new Error("expected validation to fail");
  return r.errors.map((e) => e.message);
}

describe("schemas", () => {
  it("are 2020-12 with $ids", () => {
    for (const s of [studySchema, searchSpaceSchema]) {
      expect(s.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
      expect(String(s.$id)).toMatch(/^https:\/\/nadir\.dev\/schemas\/v1\/.+\.schema\.json$/);
    }
  });

  it("accept the example study", () => {
    const r = validateStudy(example());
    expect(r.ok ? [] : r.errors).toEqual([]);
  });

  it("accept the AlgoPerf dict and list files as-is", () => {
    const dict = readJson("protocols/testdata/algoperf/nadamw_tuning_search_space.json");
    const list = readJson("protocols/testdata/algoperf/external_tuning_search_space.json");
    expect(validateSearchSpace(dict).ok).toBe(true);
    expect(validateSearchSpace(list).ok).toBe(true);
    // and inside a study
    const s = example();
    s.searchSpace = dict as StudyJson["searchSpace"];
    expect(validateStudy(s).ok).toBe(true);
  });

  it("name the pointer and what was expected", () => {
    const s = example();
    (s.searchSpace as { parameters: Record<string, unknown>[] }).parameters[0] = {
      name: "learning_rate",
      type: "float",
      min: 1e-4,
      max: 1e-2,
      scale: "logg",
    };
    (s.objective as Record<string, unknown>).direction = "down";
    (s.budget as Record<string, unknown>).trials = 0;
    s.stepBudget = 10.5;
    s.extra = true;
    expect(messages(validateStudy(s))).toEqual([
      "/budget/trials: expected a number >= 1, got 0",
      '/extra: expected no property "extra" here (allowed: $schema, id, name, description, workload, searchSpace, objective, budget, stepBudget, target, suggester, earlyStopping, studyStopper, optimizer, reportEverySteps, replicates, seed, labels)',
      '/objective/direction: expected one of "minimize", "maximize", got "down"',
      '/searchSpace/parameters/0/scale: expected one of "linear", "log", "reverse_log", got "logg"',
      "/stepBudget: expected integer, got number 10.5",
    ]);
  });

  it("report missing required properties at their own pointer", () => {
    const r = validateStudy({ id: "x" });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.pointer, e.keyword])).toEqual([
      ["/budget", "required"],
      ["/objective", "required"],
      ["/searchSpace", "required"],
      ["/stepBudget", "required"],
    ]);
    expect(r.errors[0]?.expected).toBe('required property "budget"');
  });

  it("check parameters by type", () => {
    expect(
      messages(
        validateSearchSpace({ parameters: [{ name: "a", type: "float", min: 0, max: 1, values: [1] }] }),
      ),
    ).toEqual(['/parameters/0/values: expected no property "values" for a float parameter']);
    expect(
      messages(validateSearchSpace({ parameters: [{ name: "n", type: "int", min: 1.5, max: 8 }] })),
    ).toEqual(["/parameters/0/min: expected integer, got number 1.5"]);
    expect(
      messages(validateSearchSpace({ parameters: [{ name: "c", type: "categorical", values: [] }] })),
    ).toEqual(["/parameters/0/values: expected at least 1 item(s), got []"]);
    expect(
      messages(validateSearchSpace({ parameters: [{ name: "c", type: "categorical", values: ["a", "a"] }] })),
    ).toEqual(["/parameters/0/values: expected unique items (items 0 and 1 are equal)"]);
    expect(
      messages(validateSearchSpace({ parameters: [{ name: "9lives", type: "fixed", value: 1 }] })),
    ).toEqual([
      '/parameters/0/name: expected A hyperparameter name: a letter or underscore, then letters, digits, _ . - / (at most 128 characters), got "9lives"',
    ]);
    expect(messages(validateSearchSpace({ parameters: [{ name: "x", type: "vector" }] }))).toEqual([
      '/parameters/0/type: expected one of "float", "int", "categorical", "discrete", "fixed", got "vector"',
    ]);
  });

  it("check what a schema cannot: ranges, log bounds, names, conditions, 1 - x", () => {
    const space = {
      parameters: [
        { name: "lr", type: "float", min: 0, max: 1, scale: "log" },
        { name: "wd", type: "float", min: 2, max: 1 },
        { name: "lr", type: "fixed", value: 3 },
        { name: "opt", type: "categorical", values: ["adam", 1] },
        { name: "b1", type: "float", min: 0.5, max: 2, transform: "one_minus" },
        { name: "mom", type: "float", min: 0, max: 1, condition: { parent: "opt", values: ["sgd"] } },
        { name: "z", type: "float", min: 0, max: 1, condition: { parent: "later", values: [1] } },
        { name: "later", type: "discrete", values: [1, 2] },
        { name: "k", type: "categorical", values: ["a"], transform: "one_minus" },
      ],
    };
    expect(messages(validateSearchSpace(space))).toEqual([
      "/parameters/0/min: expected min > 0 for a log scale, got 0",
      '/parameters/1/max: expected max > min (2); use type "fixed" for a constant, got 1',
      '/parameters/2/name: expected a unique name ("lr" is already /parameters/0)',
      "/parameters/3/values: expected values of a single type (found number and string)",
      '/parameters/4/transform: expected "one_minus" on values within [0, 1] so that 1 - x is too',
      '/parameters/5/condition/values/0: expected one of the values of "opt": "adam", 1, got "sgd"',
      '/parameters/6/condition/parent: expected the name of an earlier parameter, got "later"',
      '/parameters/8/transform: expected "one_minus" only on float, discrete or numeric fixed parameters (type is "categorical")',
    ]);
  });

  it("refuse two parameters materialising to the same name", () => {
    const space = {
      parameters: [
        {
          name: "one_minus_beta1",
          type: "float",
          min: 0.01,
          max: 0.1,
          scale: "log",
          transform: "one_minus",
          as: "beta1",
        },
        { name: "beta1", type: "fixed", value: 0.9 },
      ],
    };
    expect(messages(validateSearchSpace(space))).toEqual([
      '/parameters/1/name: expected a unique materialised name ("beta1" is already produced by /parameters/0)',
    ]);
  });

  it("check AlgoPerf dict entries", () => {
    expect(
      messages(
        validateSearchSpace({
          lr: { min: 0, max: 1, scaling: "log" },
          wd: { min: 1, max: 1, scaling: "linear" },
        }),
      ),
    ).toEqual(["/lr/min: expected min > 0 for log scaling, got 0", "/wd/max: expected max > min (1), got 1"]);
    expect(messages(validateSearchSpace({ lr: { min: 1e-4, max: 1e-2, scaling: "exp" } }))).toEqual([
      '/lr/scaling: expected one of "log", "linear", got "exp"',
    ]);
    expect(messages(validateSearchSpace([]))).toEqual(["(document): expected at least 1 item(s), got []"]);
    expect(messages(validateSearchSpace([{ lr: [1] }]))).toEqual([
      "/0/lr: expected string or number or boolean, got array [1]",
    ]);
  });

  it("check the study against its step budget", () => {
    const s = example();
    s.earlyStopping = { kind: "asha", minSteps: 5000 };
    s.reportEverySteps = 2000;
    expect(messages(validateStudy(s))).toEqual([
      "/earlyStopping/minSteps: expected minSteps <= stepBudget (1000), got 5000",
      "/reportEverySteps: expected reportEverySteps <= stepBudget (1000), got 2000",
    ]);
  });

  it("validate the study stopper and convert it with its defaults", () => {
    const s = example();
    delete s.earlyStopping;
    s.studyStopper = { kind: "asymptotic", gain: 0, inTrials: 0.5, confidence: 1 } as never;
    expect(messages(validateStudy(s))).toEqual([
      "/studyStopper/confidence: expected a number < 1, got 1",
      "/studyStopper/gain: expected a number > 0, got 0",
      "/studyStopper/inTrials: expected a number >= 1, got 0.5",
      "/studyStopper/inTrials: expected integer, got number 0.5",
    ]);
    s.studyStopper = { kind: "asymptotic", gain: 0.01, inTrials: 32, minTrials: 500, minTailPoints: 600 };
    expect(messages(validateStudy(s))).toEqual([
      "/studyStopper/minTailPoints: expected minTailPoints <= minTrials (500), got 600",
      "/studyStopper/minTrials: expected minTrials <= budget.trials (20); the stopper would never be evaluated, got 500",
    ]);
    s.studyStopper = { kind: "asymptotic", gain: 0.01, inTrials: 32 };
    s.earlyStopping = { kind: "median" };
    expect(messages(validateStudy(s))[0]).toMatch(
      /^\/studyStopper: expected no studyStopper together with earlyStopping/,
    );
    delete s.earlyStopping;
    const spec = studyToSpec(assertStudy(s));
    expect(spec.studyStopper).toEqual({
      asymptotic: {
        gain: 0.01,
        inTrials: 32,
        minTrials: 16,
        every: 8,
        maxIntervalWidth: 0,
        confidence: 0.8,
        minTailPoints: 8,
      },
    });
    const wire = nadir.v1.StudySpec.decode(nadir.v1.StudySpec.encode(spec).finish());
    expect(wire.studyStopper?.asymptotic?.inTrials).toBe(32);
    expect(wire.studyStopper?.asymptotic?.threshold ?? undefined).toBeUndefined();
  });

  it("validate suggesters by kind", () => {
    const s = example();
    s.suggester = { kind: "external" } as never;
    expect(messages(validateStudy(s))).toEqual([
      '/suggester/algorithm: expected required property "algorithm"',
    ]);
    s.suggester = { kind: "grid", seed: -1 } as never;
    expect(messages(validateStudy(s))).toEqual(["/suggester/seed: expected a number >= 0, got -1"]);
    s.suggester = { kind: "list", list: [{ learning_rate: 0.001 }], fallback: { kind: "random" } };
    expect(validateStudy(s).ok).toBe(true);
  });

  it("assertStudy throws a typed error listing every issue", () => {
    try {
      assertStudy({ id: "" });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SchemaValidationError);
      expect((err as SchemaValidationError).issues.length).toBe(5);
      expect((err as Error).message).toMatch(
        /^invalid study:\n {2}\/budget: expected required property "budget"/,
      );
    }
  });
});

describe("conversion to StudySpec", () => {
  it("converts the example study and it survives the wire", () => {
    const spec = studyToSpec(example());
    expect(spec.studyId).toBe("digits-mlp");
    expect(spec.searchSpace?.parameters?.map((p) => p.name)).toEqual([
      "learning_rate",
      "one_minus_beta1",
      "beta2",
      "weight_decay",
      "warmup_factor",
      "label_smoothing",
      "dropout_rate",
      "hidden_units",
    ]);
    const b1 = spec.searchSpace?.parameters?.[1];
    expect(b1?.transform).toBe(nadir.v1.Transform.TRANSFORM_ONE_MINUS);
    expect(b1?.materializedName).toBe("beta1");
    expect(spec.target).toEqual({
      metric: "validation/error_rate",
      threshold: 0.05,
      direction: nadir.v1.Direction.DIRECTION_MINIMIZE,
      stopWhenReached: true,
    });
    expect(spec.suggester?.list?.listName).toBe("algoperf-nadamw-5");
    expect(spec.suggester?.list?.fallback).toEqual({
      kind: nadir.v1.SamplerKind.SAMPLER_KIND_HALTON,
      seed: 42,
    });
    expect(spec.earlyStopping?.asha).toEqual({ minSteps: 100, reductionFactor: 3, minEarlyStoppingRate: 0 });
    const env = decodeEnvelope(
      encodeEnvelope(makeEnvelope({ suggestRequest: { studyId: "digits-mlp", count: 1, study: spec } })),
    );
    expect(env.suggestRequest?.study?.searchSpace?.parameters?.[7]?.intDomain).toEqual({
      min: 32,
      max: 256,
      scale: nadir.v1.Scale.SCALE_LOG,
    });
    expect(nadir.v1.StudySpec.verify(spec)).toBeNull();
  });

  it("converts the AlgoPerf dict form, keeping key order and the one_minus convention", () => {
    const { space, points } = searchSpaceToProto(
      readJson("protocols/testdata/algoperf/nadamw_tuning_search_space.json") as never,
    );
    expect(points).toBeUndefined();
    expect(space.parameters?.map((p) => p.name)).toEqual([
      "learning_rate",
      "one_minus_beta1",
      "beta2",
      "warmup_factor",
      "weight_decay",
      "label_smoothing",
      "dropout_rate",
    ]);
    expect(space.parameters?.[1]).toMatchObject({
      transform: nadir.v1.Transform.TRANSFORM_ONE_MINUS,
      materializedName: "beta1",
      floatDomain: { min: 0.004, max: 0.1, scale: nadir.v1.Scale.SCALE_LOG },
    });
    expect(space.parameters?.[2]?.fixedDomain).toEqual({ value: { floatValue: 0.999 } });
    expect(space.parameters?.[5]?.discreteDomain).toEqual({ values: [0.1, 0.2], integer: false });
  });

  it("turns an AlgoPerf list into list points (last duplicate key wins, as in JSON.parse)", () => {
    const list = readJson("protocols/testdata/algoperf/external_tuning_search_space.json") as never;
    const { points } = searchSpaceToProto(list);
    expect(points).toHaveLength(5);
    expect(points?.[1]?.values?.label_smoothing).toEqual({ floatValue: 0.2 });
    expect(points?.[0]?.values?.one_minus_beta1).toEqual({ floatValue: 0.02686663061 });
    const s = example();
    s.searchSpace = list;
    delete s.suggester;
    expect(studyToSpec(s).suggester?.list?.points).toHaveLength(5);
  });

  it("needs the resolved search space when the study points to a file", () => {
    const s = example();
    s.searchSpace = "space.json";
    expect(() => studyToSpec(s)).toThrow(/pass the file's parsed contents/);
    expect(
      studyToSpec(s, { lr: { min: 1e-4, max: 1e-2, scaling: "log" } }).searchSpace?.parameters,
    ).toHaveLength(1);
  });
});
