/**
 * Loader for the HPOBench MLP tabular benchmark (Eggensperger et al. 2021, "HPOBench: A Collection of
 * Reproducible Multi-Fidelity Benchmark Problems for HPO", arXiv:2109.06716), converted to gzipped CSV:
 * 8 OpenML datasets × 30,000 configurations × 5 seeds of validation balanced accuracy, maximize. Files are gunzipped with node:zlib and parsed by hand (no CSV library), and each file's
 * sha256 and every row's parameter values are checked against `space.json`.
 *
 * @module @nadir/core/hpobench
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { InvalidArgumentError, InvalidTrialsError } from "./errors.js";
import type { SearchSpace } from "./space.js";
import type { TrialsTable } from "./trials.js";

/** One parameter of the HPOBench grid, as listed in space.json. */
export interface HpobenchParameter {
  name: string;
  type: "float" | "int";
  choices: number[];
}

/** The loaded benchmark. */
export interface Hpobench {
  parameters: HpobenchParameter[];
  /** Dataset names in the order loaded. */
  datasets: string[];
  /** Point ids: the source key, one choice-index digit per parameter in order (e.g. "00000" … "99299"). */
  pointIds: string[];
  nSeeds: number;
  /** final-metric table (maximize): points × datasets, 5 seed values per cell. */
  table: TrialsTable;
  /** The grid as a SearchSpace of ordered discrete dimensions. */
  space: SearchSpace;
}

interface SpaceJson {
  direction: string;
  n_seeds: number;
  seed_columns: string[];
  parameters: { name: string; type: "float" | "int"; choices: number[] }[];
  datasets: { name: string; file: string; rows: number; sha256: string }[];
}

/**
 * Loads `dir` (the hpobench folder). `datasets` restricts and orders the datasets (default: all, in
 * space.json order). Throws InvalidTrialsError on a checksum, header, row-count or parameter mismatch.
 * Row r of each file has choice indices given by r read as a mixed-radix number (last parameter fastest),
 * and that digit string is the point id (README "How values map").
 */
export function loadHpobench(
  dir: string,
  options: { datasets?: string[]; verifySha256?: boolean } = {},
): Hpobench {
  const meta = JSON.parse(readFileSync(join(dir, "space.json"), "utf8")) as SpaceJson;
  if (meta.direction !== "maximize")
    throw new InvalidTrialsError("space.json.direction", `expected maximize, got ${meta.direction}`);
  const params = meta.parameters.map((p) => ({ name: p.name, type: p.type, choices: p.choices }));
  const radices = params.map((p) => p.choices.length);
  const P = radices.reduce((a, b) => a * b, 1);
  const S = meta.n_seeds;
  const wanted = options.datasets ?? meta.datasets.map((d) => d.name);
  const infos = wanted.map((name) => {
    const d = meta.datasets.find((x) => x.name === name);
    if (!d)
      throw new InvalidArgumentError(
        "datasets",
        `unknown dataset ${JSON.stringify(name)}; available: ${meta.datasets.map((x) => x.name).join(", ")}`,
      );
    return d;
  });
  const W = infos.length;
  const pointIds = new Array<string>(P);
  // Expected parameter text per row is checked numerically: parse and compare to the choice value.
  const digits = new Int32Array(P * params.length);
  for (let r = 0; r < P; r++) {
    let rem = r;
    let id = "";
    for (let j = params.length - 1; j >= 0; j--) {
      const d = rem % (radices[j] as number);
      rem = Math.floor(rem / (radices[j] as number));
      digits[r * params.length + j] = d;
      id = String(d) + id;
    }
    pointIds[r] = id;
  }
  const values = new Float64Array(P * W * S);
  infos.forEach((info, w) => {
    const gz = readFileSync(join(dir, info.file));
    if (options.verifySha256 !== false) {
      const sha = createHash("sha256").update(gz).digest("hex");
      if (sha !== info.sha256)
        throw new InvalidTrialsError(info.file, `sha256 ${sha} does not match space.json (${info.sha256})`);
    }
    const text = gunzipSync(gz).toString("latin1");
    const header = `${params.map((p) => p.name).join(",")},${meta.seed_columns.join(",")}`;
    if (!text.startsWith(`${header}\n`))
      throw new InvalidTrialsError(`${info.file}:1`, `unexpected header; expected ${header}`);
    let pos = header.length + 1;
    const nCols = params.length + S;
    for (let r = 0; r < P; r++) {
      for (let c = 0; c < nCols; c++) {
        const end = c === nCols - 1 ? text.indexOf("\n", pos) : text.indexOf(",", pos);
        if (end < 0)
          throw new InvalidTrialsError(
            `${info.file}:${r + 2}`,
            `row is truncated (expected ${P} rows of ${nCols} fields)`,
          );
        const v = Number(text.slice(pos, end));
        if (c < params.length) {
          const p = params[c] as HpobenchParameter;
          if (v !== p.choices[digits[r * params.length + c] as number]) {
            throw new InvalidTrialsError(
              `${info.file}:${r + 2}`,
              `${p.name} = ${text.slice(pos, end)} is not the value expected in grid order`,
            );
          }
        } else {
          if (!Number.isFinite(v))
            throw new InvalidTrialsError(
              `${info.file}:${r + 2}`,
              `non-finite seed value ${JSON.stringify(text.slice(pos, end))}`,
            );
          values[(r * W + w) * S + (c - params.length)] = v;
        }
        pos = end + 1;
      }
    }
    if (pos !== text.length)
      throw new InvalidTrialsError(info.file, `expected exactly ${P} rows; found trailing data`);
  });
  const offsets = new Int32Array(P * W + 1);
  for (let c = 0; c <= P * W; c++) offsets[c] = c * S;
  const space: SearchSpace = {
    parameters: params.map((p) => ({
      name: p.name,
      domain: { kind: "discrete" as const, values: [...p.choices] },
      transform: "identity" as const,
    })),
  };
  return {
    parameters: params,
    datasets: infos.map((d) => d.name),
    pointIds,
    nSeeds: S,
    table: {
      mode: "final-metric",
      direction: "maximize",
      points: pointIds,
      workloads: infos.map((d) => d.name),
      values,
      offsets,
    },
    space,
  };
}

/** The configuration of a point id ("00000" → {alpha: 1e-8, batch_size: 4, depth: 1, …}). */
export function hpobenchConfig(bench: Pick<Hpobench, "parameters">, id: string): Record<string, number> {
  if (id.length !== bench.parameters.length || !/^\d+$/.test(id)) {
    throw new InvalidArgumentError(
      "id",
      `expected ${bench.parameters.length} digits, got ${JSON.stringify(id)}`,
    );
  }
  const out: Record<string, number> = {};
  bench.parameters.forEach((p, j) => {
    const v = p.choices[Number(id[j])];
    if (v === undefined) throw new InvalidArgumentError("id", `digit ${id[j]} is out of range for ${p.name}`);
    out[p.name] = v;
  });
  return out;
}
