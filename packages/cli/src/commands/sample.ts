import { readFileSync } from "node:fs";
import {
  getSpace,
  loadSpaceDocument,
  materializePoint,
  type Point,
  type SamplerKind,
  type SpaceDocument,
  sample,
} from "@nadir/core";
import type { Command } from "commander";
import { exitCodeFor, usage } from "../errors.js";
import type { RegisterCommand } from "./index.js";

function int(flag: string, v: string, min: number, max: number): number {
  const x = Number(v);
  if (v.trim() === "" || !Number.isInteger(x) || x < min || x > max)
    throw usage(`${flag} must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  return x;
}

/** `nadir sample`: seeded points from a search space (random, AlgoPerf Halton, or grid). */
export const register: RegisterCommand = (program: Command, setExit) => {
  program
    .command("sample")
    .description(
      "Sample points from a search space (JSON/YAML; Nadir or AlgoPerf format; builtin:<name> for a built-in space)",
    )
    .requiredOption(
      "--space <file>",
      "search-space file, or builtin:<name> (e.g. builtin:medapati2025-broad)",
    )
    .requiredOption("--sampler <kind>", "random | halton | grid")
    .requiredOption("--n <N>", "number of points (grid: the largest full grid with at most N points)")
    .option("--seed <S>", "seed (random: the stream; halton: the point order; grid: unused)", "0")
    .option("--json", "machine-readable output")
    .action((flags: { space: string; sampler: string; n: string; seed: string; json?: boolean }) => {
      try {
        const kinds = ["random", "halton", "grid"] as const;
        if (!(kinds as readonly string[]).includes(flags.sampler))
          throw usage(`--sampler must be one of ${kinds.join(", ")}, got ${JSON.stringify(flags.sampler)}`);
        const kind = flags.sampler as SamplerKind;
        const n = int("--n", flags.n, 1, 1_000_000);
        const seed = int("--seed", flags.seed, 0, 0xffffffff);
        let doc: SpaceDocument;
        if (flags.space.startsWith("builtin:"))
          doc = { kind: "space", space: getSpace(flags.space.slice("builtin:".length)).space };
        else {
          // Parsed as JSON or YAML, validated against @nadir/protocol's search-space schema, then modelled.
          doc = loadSpaceDocument(readFileSync(flags.space, "utf8"));
        }
        let points: Point[];
        let hyper: Record<string, unknown>[];
        if (doc.kind === "points") {
          // AlgoPerf list form: the first min(N, len) entries in file order, whatever the sampler.
          points = doc.points.slice(0, n);
          hyper = points;
        } else {
          points = sample(doc.space, kind, n, { seed });
          const space = doc.space;
          hyper = points.map((p) => materializePoint(space, p));
        }
        if (flags.json) {
          process.stdout.write(
            `${JSON.stringify({ sampler: doc.kind === "points" ? "list" : kind, n: points.length, seed, points, hyperparameters: hyper }, null, 2)}\n`,
          );
          return;
        }
        const keys = [...new Set(points.flatMap((p) => Object.keys(p)))];
        const lines = [
          keys.join(","),
          ...points.map((p) => keys.map((k) => (p[k] === undefined ? "" : String(p[k]))).join(",")),
        ];
        process.stdout.write(`${lines.join("\n")}\n`);
      } catch (err) {
        process.stderr.write(`nadir sample: ${err instanceof Error ? err.message : String(err)}\n`);
        setExit(exitCodeFor(err));
      }
    });
};
