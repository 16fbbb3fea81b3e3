/**
 * `nadir import optuna`: read an existing Optuna study into Nadir's trial records (JSON Lines or CSV), the
 * rows `nadir analyze` reads.
 *
 * - `--journal <file>`: Optuna's JournalFileBackend log is JSON Lines, one operation per line (op codes
 *   0–10). It is replayed here in TypeScript with Optuna's own rules (optuna/storages/journal/_storage.py:
 *   first CREATE_STUDY of a name wins, writes to finished trials are ignored, a second WAITING→RUNNING
 *   claim is ignored, incompatible distributions are ignored, an incomplete last line is a writer
 *   mid-append and is skipped).
 * - `--storage <url>` (sqlite:///path.db or any SQLAlchemy URL): Node 20 has no SQLite, so this runs
 *   `$NADIR_PYTHON -m nadir_worker.adapters.optuna export` (default `<repo>/.venv/bin/python`, which needs
 *   `nadir-worker[optuna]`), and reads the JSON Lines it prints.
 *
 * Both paths produce the same records (tested against each other on studies written by real Optuna).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import type { RegisterCommand } from "./index.js";

/** Nadir trial states (protocol TrialState without the prefix) that Optuna states map onto. */
export type NadirState = "QUEUED" | "RUNNING" | "COMPLETED" | "PRUNED" | "FAILED";
/** A hyperparameter value in its external representation. */
export type ParamValue = number | string | boolean | null;

/**
 * One trial in Nadir's row format; identical in shape to the Python `TrialRecord.to_json_dict()` of
 * nadir_worker.adapters._common. Non-finite numbers are the strings "NaN", "Infinity", "-Infinity".
 */
export interface TrialRecord {
  source: "optuna";
  study: string;
  trial: number;
  state: NadirState;
  source_state: OptunaStateName;
  value: number | string | null;
  list_index: number | null;
  started: string | null;
  completed: string | null;
  values?: (number | string)[];
  /** `param.<name>` columns are added when serialising; `params` keeps them nested. */
  params: Record<string, ParamValue>;
  intermediate: [number, number | string][];
}

/** Why an import failed; `exitCode` is 1 for invalid input, 2 for an environment problem. */
export class ImportError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = "ImportError";
  }
}

/** Optuna TrialState numbers (optuna/trial/_state.py). */
const OPTUNA_STATES = ["RUNNING", "COMPLETE", "PRUNED", "FAIL", "WAITING"] as const;
export type OptunaStateName = (typeof OPTUNA_STATES)[number];
const STATE_MAP: Record<OptunaStateName, NadirState> = {
  WAITING: "QUEUED",
  RUNNING: "RUNNING",
  COMPLETE: "COMPLETED",
  PRUNED: "PRUNED",
  FAIL: "FAILED",
};
/** Helper studies that serialise list injection (nadir_worker.adapters.optuna.LOCK_STUDY_MARKER). */
export const LOCK_STUDY_MARKER = "::nadir-list-lock::";
const LIST_INDEX_ATTR = "nadir_list_index";

// ------------------------------------------------------------------------------------------- JSON input

const NONFINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Infinity, "-Infinity": -Infinity };

/**
 * JSON.parse that also accepts the bare NaN / Infinity / -Infinity tokens Python's json module writes
 * (Optuna's journal stores a NaN intermediate value that way). Tokens inside strings are left alone.
 */
export function parsePythonJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    if (!/NaN|Infinity/.test(text)) throw err;
  }
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (inString) {
      out += ch;
      if (ch === "\\") out += text[++i] ?? "";
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') {
      inString = true;
      out += ch;
      continue;
    }
    const tok = ["-Infinity", "Infinity", "NaN"].find((t) => text.startsWith(t, i));
    if (tok !== undefined) {
      out += `{"__nadir_nonfinite__":"${tok}"}`;
      i += tok.length - 1;
      continue;
    }
    out += ch;
  }
  return JSON.parse(out, (_k, v: unknown) => {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      const tag = (v as Record<string, unknown>).__nadir_nonfinite__;
      if (typeof tag === "string" && Object.keys(v).length === 1) return NONFINITE[tag];
    }
    return v;
  });
}

/** A finite number as itself; NaN/±Infinity as the strings Python's adapter writes. */
function jsonNumber(v: number): number | string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  return v;
}

// ------------------------------------------------------------------------------------------ journal replay

type Dist =
  | { kind: "float"; log: boolean }
  | { kind: "int"; log: boolean }
  | { kind: "categorical"; choices: ParamValue[] };

/** Parse an Optuna distribution JSON string (optuna.distributions.json_to_distribution, both forms). */
export function parseDistribution(json: string): Dist {
  const d = parsePythonJson(json) as Record<string, unknown>;
  const attrs = (d.attributes ?? d) as Record<string, unknown>;
  const name = typeof d.name === "string" ? d.name : typeof d.type === "string" ? d.type : undefined;
  switch (name) {
    case "FloatDistribution":
    case "float":
      return { kind: "float", log: attrs.log === true };
    // Legacy classes still accepted by json_to_distribution.
    case "UniformDistribution":
    case "DiscreteUniformDistribution":
      return { kind: "float", log: false };
    case "LogUniformDistribution":
      return { kind: "float", log: true };
    case "IntDistribution":
    case "int":
      return { kind: "int", log: attrs.log === true };
    case "IntUniformDistribution":
      return { kind: "int", log: false };
    case "IntLogUniformDistribution":
      return { kind: "int", log: true };
    case "CategoricalDistribution":
    case "categorical":
      if (!Array.isArray(attrs.choices))
        throw new ImportError(`categorical distribution without choices: ${json}`);
      return { kind: "categorical", choices: attrs.choices as ParamValue[] };
    default:
      throw new ImportError(`unknown Optuna distribution ${JSON.stringify(name)} in ${json}`);
  }
}

/** Internal representation (a float; a category index) -> the value the objective saw. */
function toExternal(dist: Dist, internal: number, where: string): ParamValue {
  if (dist.kind === "float") return internal;
  if (dist.kind === "int") return Math.trunc(internal);
  const choice = dist.choices[Math.trunc(internal)];
  if (choice === undefined) throw new ImportError(`${where}: category index ${internal} out of range`);
  return choice;
}

function compatible(a: Dist, b: Dist): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "categorical" && b.kind === "categorical") {
    return JSON.stringify(a.choices) === JSON.stringify(b.choices);
  }
  return (a as { log: boolean }).log === (b as { log: boolean }).log;
}

/** Any ISO-8601 timestamp -> UTC with microseconds, "+00:00" suffix (Python's isoformat). */
export function isoUtcMicros(s: string, where: string): string {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(Z|[+-]\d\d:\d\d)?$/.exec(s);
  if (!m) throw new ImportError(`${where}: cannot read timestamp ${JSON.stringify(s)}`);
  const [, y, mo, d, h, mi, se, frac = "", tz = "Z"] = m;
  let offsetMin = 0;
  if (tz !== "Z") {
    const sign = tz.startsWith("-") ? -1 : 1;
    offsetMin = sign * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6)));
  }
  const ms =
    Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se)) - offsetMin * 60_000;
  const t = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z, whole seconds here
  return `${t.slice(0, 19)}.${frac.padEnd(6, "0")}+00:00`;
}

interface JTrial {
  number: number;
  studyId: number;
  state: OptunaStateName;
  values: number[] | null;
  params: Record<string, ParamValue>;
  dists: Record<string, Dist>;
  userAttrs: Record<string, unknown>;
  systemAttrs: Record<string, unknown>;
  intermediate: Map<number, number>;
  started: string | null;
  completed: string | null;
}

interface JStudy {
  name: string;
  directions: number[];
  trialIds: number[];
}

/** The state of a replayed journal: studies by id (deleted ones removed) and every trial by id. */
export interface OptunaJournal {
  studies: Map<number, JStudy>;
  trials: JTrial[];
  /** True when the last line was incomplete (a writer mid-append) and was skipped. */
  truncatedTail: boolean;
}

function stateName(v: unknown, where: string): OptunaStateName {
  const s = typeof v === "number" ? OPTUNA_STATES[v] : undefined;
  if (s === undefined) throw new ImportError(`${where}: unknown Optuna trial state ${JSON.stringify(v)}`);
  return s;
}

function isFinished(s: OptunaStateName): boolean {
  return s === "COMPLETE" || s === "PRUNED" || s === "FAIL";
}

/**
 * Replay an Optuna JournalFileBackend log (text) the way optuna.storages.JournalStorage does, from the
 * point of view of a reader that wrote none of the lines.
 */
export function replayOptunaJournal(text: string): OptunaJournal {
  const studies = new Map<number, JStudy>();
  const trials: JTrial[] = [];
  let nextStudyId = 0;
  const lines = text.split("\n");
  // A file ending in "\n" splits into a last empty string; anything else there is an unfinished append.
  const tail = lines.pop() ?? "";
  const truncatedTail = tail.length > 0;
  const updatable = (id: unknown): JTrial | undefined => {
    const t = typeof id === "number" ? trials[id] : undefined;
    return t !== undefined && !isFinished(t.state) ? t : undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const where = `journal line ${i + 1}`;
    const raw = (lines[i] as string).replace(/\r$/, "");
    let log: Record<string, unknown>;
    try {
      log = parsePythonJson(raw) as Record<string, unknown>;
    } catch {
      // Optuna raises for a bad line that has lines after it and skips a bad last line.
      if (i === lines.length - 1) continue;
      throw new ImportError(`${where}: not valid JSON`);
    }
    if (log === null || typeof log !== "object" || typeof log.op_code !== "number") {
      throw new ImportError(`${where}: no op_code`);
    }
    switch (log.op_code) {
      case 0: {
        // CREATE_STUDY
        const name = String(log.study_name);
        if ([...studies.values()].some((s) => s.name === name)) break;
        studies.set(nextStudyId++, { name, directions: (log.directions as number[]) ?? [], trialIds: [] });
        break;
      }
      case 1: // DELETE_STUDY
        studies.delete(log.study_id as number);
        break;
      case 2: // SET_STUDY_USER_ATTR
      case 3: // SET_STUDY_SYSTEM_ATTR
      case 10: // DISCARD_TRIALS (Rustuna only; Optuna skips it too)
        break;
      case 4: {
        // CREATE_TRIAL
        const study = studies.get(log.study_id as number);
        if (study === undefined) break;
        const dists: Record<string, Dist> = {};
        for (const [k, v] of Object.entries((log.distributions as Record<string, string>) ?? {})) {
          dists[k] = parseDistribution(v);
        }
        const params: Record<string, ParamValue> = {};
        for (const [k, v] of Object.entries((log.params as Record<string, number>) ?? {})) {
          const dist = dists[k];
          if (dist === undefined) throw new ImportError(`${where}: parameter ${k} has no distribution`);
          params[k] = toExternal(dist, v, where);
        }
        const values = Array.isArray(log.values)
          ? (log.values as number[])
          : typeof log.value === "number"
            ? [log.value]
            : null;
        const intermediate = new Map<number, number>();
        for (const [k, v] of Object.entries((log.intermediate_values as Record<string, number>) ?? {})) {
          intermediate.set(Number(k), v);
        }
        const trial: JTrial = {
          number: study.trialIds.length,
          studyId: log.study_id as number,
          state: stateName(log.state ?? 0, where),
          values,
          params,
          dists,
          userAttrs: { ...((log.user_attrs as Record<string, unknown>) ?? {}) },
          systemAttrs: { ...((log.system_attrs as Record<string, unknown>) ?? {}) },
          intermediate,
          started: typeof log.datetime_start === "string" ? isoUtcMicros(log.datetime_start, where) : null,
          completed:
            typeof log.datetime_complete === "string" ? isoUtcMicros(log.datetime_complete, where) : null,
        };
        study.trialIds.push(trials.length);
        trials.push(trial);
        break;
      }
      case 5: {
        // SET_TRIAL_PARAM
        const t = updatable(log.trial_id);
        if (t === undefined) break;
        const name = String(log.param_name);
        const dist = parseDistribution(String(log.distribution));
        const study = [...studies.values()].find((s) => s.trialIds.includes(log.trial_id as number));
        // The first earlier trial of the study with this parameter decides compatibility.
        const prev = study?.trialIds.map((id) => trials[id] as JTrial).find((p) => name in p.params);
        const prevDist = prev?.dists[name];
        if (prevDist !== undefined && !compatible(prevDist, dist)) break;
        t.params[name] = toExternal(dist, log.param_value_internal as number, where);
        t.dists[name] = dist;
        break;
      }
      case 6: {
        // SET_TRIAL_STATE_VALUES
        const t = updatable(log.trial_id);
        if (t === undefined) break;
        const state = stateName(log.state, where);
        if (state === "RUNNING" && t.state === "RUNNING") break; // popped by another worker first
        if (state === "RUNNING") t.started = isoUtcMicros(String(log.datetime_start), where);
        if (isFinished(state)) t.completed = isoUtcMicros(String(log.datetime_complete), where);
        t.state = state;
        if (Array.isArray(log.values)) t.values = log.values as number[];
        break;
      }
      case 7: {
        // SET_TRIAL_INTERMEDIATE_VALUE
        const t = updatable(log.trial_id);
        if (t !== undefined) t.intermediate.set(Number(log.step), log.intermediate_value as number);
        break;
      }
      case 8:
      case 9: {
        // SET_TRIAL_USER_ATTR / SET_TRIAL_SYSTEM_ATTR
        const t = updatable(log.trial_id);
        if (t === undefined) break;
        const target = log.op_code === 8 ? t.userAttrs : t.systemAttrs;
        Object.assign(
          target,
          (log.op_code === 8 ? log.user_attr : log.system_attr) as Record<string, unknown>,
        );
        break;
      }
      default:
        throw new ImportError(`${where}: unknown op_code ${String(log.op_code)}`);
    }
  }
  return { studies, trials, truncatedTail };
}

/** Names of the studies in a replayed journal, without Nadir's list-injection helper studies. */
export function journalStudyNames(j: OptunaJournal): string[] {
  return [...j.studies.values()].map((s) => s.name).filter((n) => !n.includes(LOCK_STUDY_MARKER));
}

/** Every trial of `studyName` as Nadir records in trial-number order (ImportError if there is no such study). */
export function journalRecords(j: OptunaJournal, studyName: string): TrialRecord[] {
  const study = [...j.studies.values()].find((s) => s.name === studyName);
  if (study === undefined) {
    throw new ImportError(
      `no study named ${JSON.stringify(studyName)}; the journal has ${JSON.stringify(journalStudyNames(j))}`,
    );
  }
  return study.trialIds.map((id) => {
    const t = j.trials[id] as JTrial;
    const rawIndex =
      LIST_INDEX_ATTR in t.userAttrs ? t.userAttrs[LIST_INDEX_ATTR] : t.systemAttrs[LIST_INDEX_ATTR];
    const values = t.values;
    const rec: TrialRecord = {
      source: "optuna",
      study: studyName,
      trial: t.number,
      state: STATE_MAP[t.state],
      source_state: t.state,
      value: values !== null && values.length > 0 ? jsonNumber(values[0] as number) : null,
      list_index: typeof rawIndex === "number" ? Math.trunc(rawIndex) : null,
      started: t.started,
      completed: t.completed,
      params: Object.fromEntries(
        Object.keys(t.params)
          .sort()
          .map((k) => [k, t.params[k] as ParamValue]),
      ),
      intermediate: [...t.intermediate.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([s, v]) => [s, jsonNumber(v)]),
    };
    if (values !== null && values.length > 1) rec.values = values.map(jsonNumber);
    return rec;
  });
}

// ---------------------------------------------------------------------------------------- Python bridge

/** The repository root, from this module's location (src/commands or dist/commands of packages/cli). */
const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));

/** The Python interpreter used for RDB storages: $NADIR_PYTHON, else <repo>/.venv/bin/python. */
export function nadirPython(env: NodeJS.ProcessEnv = process.env): string {
  return env.NADIR_PYTHON || path.join(repoRoot, ".venv", "bin", "python");
}

/** Export an RDB study through `python -m nadir_worker.adapters.optuna export` and parse its JSON Lines. */
export function exportViaPython(storage: string, studyName: string, python = nadirPython()): TrialRecord[] {
  const argv = ["-m", "nadir_worker.adapters.optuna", "export", "--storage", storage, "--study", studyName];
  const proc = spawnSync(python, argv, { encoding: "utf8", maxBuffer: 1 << 30 });
  if (proc.error) {
    throw new ImportError(
      `cannot run ${python} (set NADIR_PYTHON to a Python with nadir-worker[optuna] installed): ${proc.error.message}`,
      2,
    );
  }
  if (proc.status === 1) throw new ImportError(proc.stderr.trim().replace(/^error: /, ""), 1);
  if (proc.status !== 0) {
    throw new ImportError(
      `${python} -m nadir_worker.adapters.optuna export failed (exit ${proc.status}): ${proc.stderr.trim().slice(-800)}`,
      2,
    );
  }
  return proc.stdout
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => {
      const r = JSON.parse(l) as TrialRecord & Record<string, unknown>;
      // The flat param.* columns are derived from `params` when writing; keep the record canonical.
      for (const k of Object.keys(r)) if (k.startsWith("param.")) delete r[k];
      return r as TrialRecord;
    });
}

// ------------------------------------------------------------------------------------------------ output

function flat(r: TrialRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    source: r.source,
    study: r.study,
    trial: r.trial,
    state: r.state,
    source_state: r.source_state,
    value: r.value,
    list_index: r.list_index,
    started: r.started,
    completed: r.completed,
  };
  if (r.values !== undefined) out.values = r.values;
  for (const k of Object.keys(r.params).sort()) out[`param.${k}`] = r.params[k];
  out.params = r.params;
  out.intermediate = r.intermediate;
  return out;
}

/** JSON Lines, one record per line, keys in the same order as the Python adapter writes them. */
export function recordsToJsonl(records: TrialRecord[]): string {
  return records.map((r) => `${JSON.stringify(flat(r))}\n`).join("");
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV with the fixed columns then one `param.<name>` column per parameter seen; no intermediate values. */
export function recordsToCsv(records: TrialRecord[]): string {
  const fixed = [
    "source",
    "study",
    "trial",
    "state",
    "source_state",
    "value",
    "list_index",
    "started",
    "completed",
  ] as const;
  const names = [...new Set(records.flatMap((r) => Object.keys(r.params)))].sort();
  const head = [...fixed, ...names.map((n) => `param.${n}`)].join(",");
  const rows = records.map((r) =>
    [...fixed.map((k) => csvCell(r[k])), ...names.map((n) => csvCell(r.params[n]))].join(","),
  );
  return `${[head, ...rows].join("\n")}\n`;
}

// ---------------------------------------------------------------------------------------------- command

interface ImportOptunaOptions {
  storage?: string;
  journal?: string;
  study: string;
  out?: string;
  format?: string;
}

/** Read the study, whichever source was given. */
export function importOptuna(opts: { storage?: string; journal?: string; study: string }): TrialRecord[] {
  if ((opts.storage === undefined) === (opts.journal === undefined)) {
    throw new ImportError("give exactly one of --storage <url> or --journal <file>", 2);
  }
  if (opts.journal !== undefined) {
    if (!existsSync(opts.journal)) throw new ImportError(`journal file ${opts.journal} does not exist`);
    return journalRecords(replayOptunaJournal(readFileSync(opts.journal, "utf8")), opts.study);
  }
  return exportViaPython(opts.storage as string, opts.study);
}

function summary(records: TrialRecord[]): string {
  const counts = new Map<string, number>();
  for (const r of records) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
  const parts = [...counts.entries()].map(([s, n]) => `${n} ${s.toLowerCase()}`);
  return `${records.length} trials${parts.length ? ` (${parts.join(", ")})` : ""}`;
}

export const register: RegisterCommand = (program: Command, setExit) => {
  const imp = program
    .command("import")
    .description("Read trials from another HPO framework into Nadir's format.");
  imp
    .command("optuna")
    .description(
      "Import an Optuna study from an RDB storage (via $NADIR_PYTHON) or a journal file (read directly).",
    )
    .option("--storage <url>", "RDB storage URL, e.g. sqlite:///study.db")
    .option("--journal <file>", "Optuna JournalFileBackend log file")
    .requiredOption("--study <name>", "study name")
    .option("--out <file>", "output file, .jsonl or .csv (default: JSON Lines on stdout)")
    .option("--format <fmt>", "jsonl or csv (default: from the --out extension)")
    .action((opts: ImportOptunaOptions) => {
      try {
        let format = opts.format;
        if (format === undefined) format = opts.out?.toLowerCase().endsWith(".csv") ? "csv" : "jsonl";
        if (format !== "jsonl" && format !== "csv") {
          throw new ImportError(`--format must be jsonl or csv, got ${JSON.stringify(format)}`, 2);
        }
        const records = importOptuna(opts);
        const text = format === "csv" ? recordsToCsv(records) : recordsToJsonl(records);
        if (opts.out === undefined || opts.out === "-") {
          process.stdout.write(text);
        } else {
          writeFileSync(opts.out, text);
          process.stderr.write(`imported ${summary(records)} from study ${opts.study} into ${opts.out}\n`);
        }
        setExit(0);
      } catch (err) {
        if (!(err instanceof ImportError)) throw err;
        process.stderr.write(`nadir import optuna: ${err.message}\n`);
        setExit(err.exitCode);
      }
    });
};
