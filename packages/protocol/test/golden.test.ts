// Golden vectors (protocols/testdata): every checked-in binary decodes to exactly the checked-in canonical
// JSON, the JSON encodes to exactly the checked-in bytes, and decode->encode is the identity on bytes. The
// pytest suite (adapters/python/tests/test_protocol_golden.py) checks the same files from Python.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BODY_KINDS, CANONICAL_JSON_OPTIONS, decodeFrames, PROTOCOL_TAG_BYTES } from "../src/framing.js";
import { nadir, ProtocolError } from "../src/index.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const dir = path.join(repoRoot, "protocols", "testdata");
const bins = readdirSync(dir)
  .filter((f) => f.endsWith(".bin"))
  .sort();

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

describe("golden vectors", () => {
  it("cover every envelope body member plus the journal record", () => {
    const want = [
      ...BODY_KINDS.map(snake),
      "journal_record",
      "journal_record_snapshot",
      "journal_record_stopper",
    ].sort();
    expect(bins.map((f) => f.replace(/\.bin$/, "")).sort()).toEqual(want);
    expect(BODY_KINDS.length).toBe(27);
  });

  for (const file of bins) {
    const kind = file.replace(/\.bin$/, "");
    const type = kind.startsWith("journal_record") ? nadir.v1.JournalRecord : nadir.v1.Envelope;
    it(`${kind}: decodes to the JSON and re-encodes to the same bytes`, () => {
      const bytes = new Uint8Array(readFileSync(path.join(dir, file)));
      const json = JSON.parse(readFileSync(path.join(dir, `${kind}.json`), "utf8")) as Record<
        string,
        unknown
      >;
      const decoded = type.decode(bytes);
      expect(type.toObject(decoded as never, CANONICAL_JSON_OPTIONS)).toEqual(json);
      expect(Buffer.from(type.encode(decoded as never).finish()).equals(Buffer.from(bytes))).toBe(true);
      const fromJson = type.fromObject(json);
      expect(Buffer.from(type.encode(fromJson as never).finish()).equals(Buffer.from(bytes))).toBe(true);
      if (type === nadir.v1.Envelope) {
        // The framing layer accepts it and finds the body named by the file.
        const msg = decodeFrames([PROTOCOL_TAG_BYTES, bytes]);
        expect(snake(msg.envelope.body ?? "")).toBe(kind);
      }
    });
  }

  it("keep NaN and Infinity metric values (diverged runs) through decode", () => {
    const bytes = new Uint8Array(readFileSync(path.join(dir, "trial_failed.bin")));
    const env = nadir.v1.Envelope.decode(bytes);
    expect(Number.isNaN(env.trialFailed?.divergence?.value)).toBe(true);
    expect(env.trialFailed?.last?.metrics?.["train/loss"]).toBe(Number.POSITIVE_INFINITY);
  });

  it("keep TrialResult.replicate in a compaction snapshot", () => {
    const rec = nadir.v1.JournalRecord.decode(
      new Uint8Array(readFileSync(path.join(dir, "journal_record_snapshot.bin"))),
    );
    expect(rec.snapshot?.trials.map((t) => [t.trial?.trialId, t.replicate])).toEqual([
      [2, 1],
      [3, 2],
    ]);
  });

  it("keep a study stopper's decision on the StudyStateChanged that ended the study", () => {
    const rec = nadir.v1.JournalRecord.decode(
      new Uint8Array(readFileSync(path.join(dir, "journal_record_stopper.bin"))),
    );
    const d = rec.studyStateChanged?.stopper;
    expect([d?.stop, d?.reason, d?.searchTrials, d?.gainBound, d?.acceptedC]).toEqual([
      true,
      "gain-below-threshold",
      48,
      0.0012,
      [1, 2, 3],
    ]);
    const progress = nadir.v1.Envelope.decode(
      new Uint8Array(readFileSync(path.join(dir, "study_progress.bin"))),
    );
    expect(progress.studyProgress?.stopper?.reason).toBe("set-touches-edge");
  });

  it("materialise 1 - one_minus_beta1 as beta1 in the assignment", () => {
    const env = nadir.v1.Envelope.decode(
      new Uint8Array(readFileSync(path.join(dir, "trial_assignment.bin"))),
    );
    const a = env.trialAssignment;
    expect(a?.optimizer?.nadamw?.beta1).toBe(1 - (a?.parameters?.one_minus_beta1?.floatValue ?? Number.NaN));
    // warmup_steps = floor(0.1 * 1000) (AlgoPerf rounding, jax_nadamw_full_budget.py)
    expect(a?.optimizer?.schedule?.warmupSteps).toBe(Math.floor(0.1 * 1000));
    expect(typeof a?.stepBudget).toBe("number");
  });
});

describe("invalid vectors", () => {
  const inv = path.join(dir, "invalid");
  const files = readdirSync(inv)
    .filter((f) => f.endsWith(".json"))
    .sort();
  it("exist", () => expect(files.length).toBeGreaterThanOrEqual(10));
  for (const file of files) {
    const vec = JSON.parse(readFileSync(path.join(inv, file), "utf8")) as {
      frames: string[];
      error: string;
      description: string;
    };
    it(`${file}: ${vec.description} -> ${vec.error}`, () => {
      const frames = vec.frames.map((b) => new Uint8Array(Buffer.from(b, "base64")));
      let caught: unknown;
      try {
        decodeFrames(frames);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ProtocolError);
      expect((caught as ProtocolError).code).toBe(vec.error);
    });
  }
});
