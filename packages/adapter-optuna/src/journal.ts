/**
 * Optuna's JournalFileBackend log, replayed in TypeScript: a pure function from the file's text to its
 * studies and trials, then to Nadir's records.
 *
 * The log is JSON Lines, one operation per line (op codes 0–10). It is replayed with Optuna's own rules
 * (optuna/storages/journal/_storage.py): the first CREATE_STUDY of a name wins, writes to finished trials
 * are ignored, a second WAITING→RUNNING claim is ignored, incompatible distributions are ignored, and an
 * incomplete last line is a writer mid-append and is skipped. The result is tested record for record
 * against Optuna's live Study objects and against the Python adapter's export of the same file.
 *
 * @module @nadir/adapter-optuna/journal
 */
import { OptunaImportError } from "./errors.js";
import {
  jsonNumber,
  OPTUNA_STATES,
  type OptunaStateName,
  type ParamValue,
  STATE_MAP,
  type TrialRecord,
} from "./records.js";

export { jsonNumber, OPTUNA_STATES, type OptunaStateName, STATE_MAP } from "./records.js";

/** Helper studies that serialise list injection (nadir_worker.adapters.optuna.LOCK_STUDY_MARKER). */
export const LOCK_STUDY_MARKER = "::nadir-list-lock::";
/** The user (or system) attribute in which list injection records a trial's list position. */
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

// ------------------------------------------------------------------------------------------ journal replay

/** An Optuna distribution, reduced to what converting an internal value to the external one needs. */
export type OptunaDistribution =
  | { kind: "float"; log: boolean }
  | { kind: "int"; log: boolean }
  | { kind: "categorical"; choices: ParamValue[] };

/** Parse an Optuna distribution JSON string (optuna.distributions.json_to_distribution, both forms). */
export function parseDistribution(json: string): OptunaDistribution {
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
        throw new OptunaImportError("malformed_journal", `categorical distribution without choices: ${json}`);
      return { kind: "categorical", choices: attrs.choices as ParamValue[] };
    default:
      throw new OptunaImportError(
        "malformed_journal",
        `unknown Optuna distribution ${JSON.stringify(name)} in ${json}`,
      );
  }
}

/** Internal representation (a float; a category index) -> the value the objective saw. */
function toExternal(dist: OptunaDistribution, internal: number, where: string): ParamValue {
  if (dist.kind === "float") return internal;
  if (dist.kind === "int") return Math.trunc(internal);
  const choice = dist.choices[Math.trunc(internal)];
  if (choice === undefined)
    throw new OptunaImportError(
      "malformed_journal",
      `${where}: category index ${internal} out of range`,
      where,
    );
  return choice;
}

/** Optuna's check_distribution_compatibility: same kind and log flag, same categorical choices. */
function compatible(a: OptunaDistribution, b: OptunaDistribution): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "categorical" && b.kind === "categorical") {
    return JSON.stringify(a.choices) === JSON.stringify(b.choices);
  }
  return (a as { log: boolean }).log === (b as { log: boolean }).log;
}

/** Any ISO-8601 timestamp -> UTC with microseconds, "+00:00" suffix (Python's isoformat). */
export function isoUtcMicros(s: string, where: string): string {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(Z|[+-]\d\d:\d\d)?$/.exec(s);
  if (!m)
    throw new OptunaImportError(
      "malformed_journal",
      `${where}: cannot read timestamp ${JSON.stringify(s)}`,
      where,
    );
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

/** A trial as the replay holds it: internal values already converted to external ones. */
export interface JournalTrial {
  number: number;
  studyId: number;
  state: OptunaStateName;
  values: number[] | null;
  params: Record<string, ParamValue>;
  dists: Record<string, OptunaDistribution>;
  userAttrs: Record<string, unknown>;
  systemAttrs: Record<string, unknown>;
  intermediate: Map<number, number>;
  started: string | null;
  completed: string | null;
}

/** A study as the replay holds it; `trialIds` index `OptunaJournal.trials`, in trial-number order. */
export interface JournalStudy {
  name: string;
  directions: number[];
  trialIds: number[];
}

/** The state of a replayed journal: studies by id (deleted ones removed) and every trial by id. */
export interface OptunaJournal {
  studies: Map<number, JournalStudy>;
  trials: JournalTrial[];
  /** True when the last line was incomplete (a writer mid-append) and was skipped. */
  truncatedTail: boolean;
}

/** Optuna TrialState number -> name, rejecting numbers Optuna does not define. */
function stateName(v: unknown, where: string): OptunaStateName {
  const s = typeof v === "number" ? OPTUNA_STATES[v] : undefined;
  if (s === undefined)
    throw new OptunaImportError(
      "malformed_journal",
      `${where}: unknown Optuna trial state ${JSON.stringify(v)}`,
      where,
    );
  return s;
}

/** Optuna refuses writes to a trial in these states; the replay ignores them the same way. */
function isFinished(s: OptunaStateName): boolean {
  return s === "COMPLETE" || s === "PRUNED" || s === "FAIL";
}

/**
 * Replay an Optuna JournalFileBackend log (text) the way optuna.storages.JournalStorage does, from the
 * point of view of a reader that wrote none of the lines.
 */
export function replayOptunaJournal(text: string): OptunaJournal {
  const studies = new Map<number, JournalStudy>();
  const trials: JournalTrial[] = [];
  let nextStudyId = 0;
  const lines = text.split("\n");
  // A file ending in "\n" splits into a last empty string; anything else there is an unfinished append.
  const tail = lines.pop() ?? "";
  const truncatedTail = tail.length > 0;
  const updatable = (id: unknown): JournalTrial | undefined => {
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
      throw new OptunaImportError("malformed_journal", `${where}: not valid JSON`, where);
    }
    if (log === null || typeof log !== "object" || typeof log.op_code !== "number") {
      throw new OptunaImportError("malformed_journal", `${where}: no op_code`, where);
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
        const dists: Record<string, OptunaDistribution> = {};
        for (const [k, v] of Object.entries((log.distributions as Record<string, string>) ?? {})) {
          dists[k] = parseDistribution(v);
        }
        const params: Record<string, ParamValue> = {};
        for (const [k, v] of Object.entries((log.params as Record<string, number>) ?? {})) {
          const dist = dists[k];
          if (dist === undefined)
            throw new OptunaImportError(
              "malformed_journal",
              `${where}: parameter ${k} has no distribution`,
              where,
            );
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
        const trial: JournalTrial = {
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
        const prev = study?.trialIds.map((id) => trials[id] as JournalTrial).find((p) => name in p.params);
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
        throw new OptunaImportError(
          "malformed_journal",
          `${where}: unknown op_code ${String(log.op_code)}`,
          where,
        );
    }
  }
  return { studies, trials, truncatedTail };
}

/** Names of the studies in a replayed journal, without Nadir's list-injection helper studies. */
export function journalStudyNames(j: OptunaJournal): string[] {
  return [...j.studies.values()].map((s) => s.name).filter((n) => !n.includes(LOCK_STUDY_MARKER));
}

/**
 * Every trial of `studyName` as Nadir records in trial-number order (OptunaImportError if there is no such
 * study; the message lists the studies there are).
 */
export function journalRecords(j: OptunaJournal, studyName: string): TrialRecord[] {
  const study = [...j.studies.values()].find((s) => s.name === studyName);
  if (study === undefined) {
    throw new OptunaImportError(
      "study_not_found",
      `no study named ${JSON.stringify(studyName)}; the journal has ${JSON.stringify(journalStudyNames(j))}`,
      "study",
    );
  }
  return study.trialIds.map((id) => {
    const t = j.trials[id] as JournalTrial;
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
