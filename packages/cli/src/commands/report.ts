import * as fs from "node:fs";
import * as path from "node:path";
import { InvalidArgumentError } from "@nadir/analysis";
import { formatStudyExport, replayJournal } from "@nadir/coordinator";
import type { nadir } from "@nadir/protocol";
import {
  type AnalyzeResult,
  curvesFromExport,
  curvesFromResults,
  type LearningCurves,
  type ListVsRandom,
  type ListWorkloads,
  renderReport,
  type Section,
} from "@nadir/report";
import { studyScoreBounds, studySelectOptions, tableFromStudy } from "@nadir/results";
import type { Command } from "commander";
import { CliError, usage as cliUsage, exitCodeFor } from "../errors.js";
import { type ListTrialsMode, readTrialsTable } from "../read-trials.js";
import {
  analyzeSelection,
  type PipelineOptions,
  reportSample,
  selectSample,
  stoppingStory,
  studySpace,
  type TableInput,
} from "../results-pipeline.js";
import type { RegisterCommand } from "./index.js";

const BANDS = ["dkw", "ks", "ld_equal_tailed", "ld_highest_density"] as const;
type Bands = (typeof BANDS)[number];

interface ReportFlags {
  /** Optional for a journal: its study's objective names the metric and direction. */
  metric?: string;
  direction?: string;
  confidence: string;
  bands: string;
  lower?: string;
  upper?: string;
  maxK?: string;
  maxC?: string;
  threshold?: string;
  /** Default: a journal's study's mode (include for a replay), else separate. */
  listTrials?: string;
  out: string;
  title?: string;
  study?: string;
  curve?: string;
  curveStep?: string;
  curveValue?: string;
  curveTransform: string;
  list?: string;
}

function usage(msg: string): never {
  throw cliUsage(msg);
}

function num(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === "" || Number.isNaN(x)) usage(`${flag} must be a number, got ${JSON.stringify(v)}`);
  return x;
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new CliError("invalid-input", `cannot read ${file}: ${(err as Error).message}`);
  }
}

/**
 * The trial table and curves of the input, read once: a results file (CSV/JSONL, as `nadir analyze`
 * reads it) or a journal directory (its study's spec and records, replayed once).
 */
function loadInput(
  input: string,
  o: ReportFlags,
): {
  table: TableInput;
  spec: nadir.v1.StudySpec | undefined;
  curves: Section<LearningCurves> | undefined;
  /** A journal's study stopper decisions and how the study stands (for the stopping section). */
  stopper?: { decisions: nadir.v1.StopperDecision[]; done: boolean; created: number };
  /** A journal's study objective and list mode (the defaults of --metric, --direction, --list-trials). */
  objective?: { metric: string; direction: "minimize" | "maximize"; lists: ListTrialsMode };
} {
  let isDir = false;
  try {
    isDir = fs.statSync(input).isDirectory();
  } catch (err) {
    throw new CliError("invalid-input", `cannot read ${input}: ${(err as Error).message}`);
  }
  if (isDir) {
    const { book } = replayJournal(input);
    const studies = book.results();
    const ids = [...studies.keys()];
    let study = o.study;
    if (study === undefined) {
      if (ids.length !== 1)
        throw new CliError(
          "invalid-input",

          `${input} holds ${ids.length} studies (${ids.join(", ") || "none"}): choose one with --study`,
        );
      study = ids[0] as string;
    }
    const st = studies.get(study);
    if (!st)
      throw new CliError(
        "invalid-input",
        `no study ${JSON.stringify(study)} in ${input} (studies: ${ids.join(", ") || "none"})`,
      );
    const { metric, direction, lists } = studySelectOptions(st.spec);
    const objective = { metric, direction, lists };
    const curvesText = formatStudyExport(study, st, "curves-jsonl");
    let curves: Section<LearningCurves>;
    if (curvesText.trim() === "") curves = { unavailable: `study ${study} has no intermediate reports` };
    else {
      try {
        curves = curvesFromExport(curvesText, o.metric ?? objective.metric);
      } catch (err) {
        curves = { unavailable: (err as Error).message };
      }
    }
    const bs = book.studies.get(study);
    // Named `<journal>#<study>.jsonl`, as the report names a journal's study.
    return {
      table: { file: `${input}#${study}.jsonl`, format: "jsonl", table: tableFromStudy(st.spec, st.trials) },
      spec: st.spec,
      curves,
      objective,
      ...(bs
        ? { stopper: { decisions: bs.decisions, done: book.counts(bs).done, created: bs.trials.size } }
        : {}),
    };
  }
  const missing = [o.metric === undefined && "--metric", o.direction === undefined && "--direction"].filter(
    (f): f is string => typeof f === "string",
  );
  if (missing.length)
    usage(
      `${missing.join(" and ")} ${missing.length === 1 ? "is" : "are"} required for a results file (a journal directory's study names its objective)`,
    );
  const metric = o.metric as string;
  const text = readText(input);
  const file = readTrialsTable(text, input, metric);
  let curves: Section<LearningCurves> | undefined;
  if (o.curve !== undefined) {
    const transform = o.curveTransform === "one-minus" ? (v: number) => 1 - v : undefined;
    curves = curvesFromResults(text, {
      field: o.curve,
      stepKey: o.curveStep,
      valueKey: o.curveValue,
      transform,
    });
    curves.y_label =
      o.curveTransform === "one-minus" ? `1 − ${o.curveValue ?? o.curve}` : (o.curveValue ?? metric);
  }
  return {
    table: { file: input, format: file.format, table: file.table, rawMetric: file.rawMetric },
    spec: undefined,
    curves,
  };
}

function loadList(file: string): ListVsRandom | ListWorkloads {
  let v: unknown;
  try {
    v = JSON.parse(readText(file));
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError("invalid-input", `${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (
    typeof v !== "object" ||
    v === null ||
    (!Array.isArray((v as ListWorkloads).per_workload) && !Array.isArray((v as ListVsRandom).points))
  ) {
    throw new CliError(
      "invalid-input",

      `${file}: expected the JSON of \`nadir lists build --json\` (with per_workload) or {points: [{index, score}]}`,
    );
  }
  return v as ListVsRandom | ListWorkloads;
}

/** `nadir report`: one self-contained HTML file with the analysis of a results file or a journal. */
export const register: RegisterCommand = (program: Command, setExit) => {
  program
    .command("report")
    .description(
      "Self-contained HTML report (SVG plots, no network at view time) of a results file or a journal directory",
    )
    .argument("<input>", "trials as CSV / JSON Lines (as `nadir analyze` reads), or a journal directory")
    .option("--metric <name>", "column / field holding the score (a journal: default its study's objective)")
    .option("--direction <dir>", "minimize | maximize (a journal: default its study's objective)")
    .option("--confidence <c>", "simultaneous confidence of the band", "0.8")
    .option("--bands <method>", "dkw | ks | ld_equal_tailed | ld_highest_density", "ld_highest_density")
    .option("--lower <A>", "lowest possible score (e.g. 0)")
    .option("--upper <B>", "highest possible score (e.g. 1)")
    .option("--max-k <K>", "largest k of the tuning curve (default max(n, 64))")
    .option(
      "--max-c <C>",
      "largest effective dimension c for the tail fit (1..10; default: a journal's number of searched hyperparameters, else 10)",
    )
    .option("--threshold <T>", "asymptotic-regime threshold: fit the noisy quadratic to scores beyond it")
    .option(
      "--list-trials <mode>",
      "rows with a list_index (list points, not random draws): separate (held out of the sample) | include (default: separate; a replay journal's recorded runs: include)",
    )
    .option("--out <file>", "where to write the HTML", "report.html")
    .option("--title <text>", "page title")
    .option("--study <id>", "journal input: the study to report (default: the only one)")
    .option(
      "--curve <field>",
      "JSONL input: dotted field holding each trial's learning curve, e.g. learning_curves.matched",
    )
    .option("--curve-step <key>", "curves of objects: key of the step (default step)")
    .option("--curve-value <key>", "curves of objects: key of the value, e.g. top_1")
    .option("--curve-transform <t>", "none | one-minus (e.g. accuracy → error rate)", "none")
    .option(
      "--list <file>",
      "list evaluation to compare with random search (`nadir lists build --json` output)",
    )
    .action(async (input: string, o: ReportFlags) => {
      let options: Omit<PipelineOptions, "lists" | "metric" | "direction">;
      try {
        // Same flags and checks as `nadir analyze`, so that the numbers are the same.
        if (o.direction !== undefined && o.direction !== "minimize" && o.direction !== "maximize")
          usage(`--direction must be minimize or maximize, got ${JSON.stringify(o.direction)}`);
        if (!BANDS.includes(o.bands as Bands))
          usage(`--bands must be one of ${BANDS.join(", ")}, got ${JSON.stringify(o.bands)}`);
        const confidence = num("--confidence", o.confidence) as number;
        if (!(confidence > 0 && confidence < 1)) usage(`--confidence must be in (0, 1), got ${o.confidence}`);
        if (o.listTrials !== undefined && o.listTrials !== "separate" && o.listTrials !== "include")
          usage(`--list-trials must be separate or include, got ${JSON.stringify(o.listTrials)}`);
        const maxK = num("--max-k", o.maxK);
        if (maxK !== undefined && !(Number.isInteger(maxK) && maxK >= 1))
          usage(`--max-k must be an integer >= 1, got ${o.maxK}`);
        const maxC = num("--max-c", o.maxC);
        if (maxC !== undefined && !(Number.isInteger(maxC) && maxC >= 1 && maxC <= 10))
          usage(`--max-c must be an integer from 1 to 10, got ${o.maxC}`);
        if (o.curveTransform !== "none" && o.curveTransform !== "one-minus")
          usage(`--curve-transform must be none or one-minus, got ${JSON.stringify(o.curveTransform)}`);
        if ((o.curveStep !== undefined || o.curveValue !== undefined) && o.curve === undefined)
          usage("--curve-step / --curve-value need --curve");
        options = {
          maxC,
          confidence,
          bands: o.bands as Bands,
          lower: num("--lower", o.lower),
          upper: num("--upper", o.upper),
          maxK,
          threshold: num("--threshold", o.threshold),
        };
      } catch (err) {
        process.stderr.write(`nadir report: ${(err as Error).message}\n`);
        return setExit(2);
      }
      try {
        const { table, spec, curves, stopper, objective } = loadInput(input, o);
        // Given flags win; a journal's study objective fills the rest (a results file has both: loadInput).
        const metric = (o.metric ?? objective?.metric) as string;
        const direction = (o.direction ?? objective?.direction) as "minimize" | "maximize";
        const mode = (o.listTrials ?? objective?.lists ?? "separate") as ListTrialsMode;
        // A journal's study declares its score's bounds (labels) and its searched hyperparameters (maxC).
        const popts: PipelineOptions = {
          ...(spec ? studyScoreBounds(spec) : {}),
          ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
          ...(spec ? { spec: studySpace(spec) } : {}),
          metric,
          direction,
          lists: mode,
        } as PipelineOptions;
        const sel = selectSample(table, popts);
        if (sel.scores.length === 0)
          throw new CliError(
            "invalid-input",

            `no usable values of ${JSON.stringify(metric)} in ${table.file} (${sel.summary.trials} rows: ${sel.summary.groups.map((g) => `${g.count} ${g.group.replace("_", " ")}`).join(", ") || "none"})`,
          );
        // Exactly what `nadir analyze --json` prints for the same input and flags.
        const analysis = analyzeSelection(table, sel, popts).json as unknown as AnalyzeResult;
        // Without --list, the trials that came from a list (list_index set) are the list's points.
        const fromTrials = sel.listPoints;
        const list =
          o.list !== undefined
            ? loadList(o.list)
            : fromTrials.length
              ? { name: "the list's trials", points: fromTrials }
              : undefined;
        const name = table.file;
        const studyTitle = spec ? spec.name || spec.studyId : table.table.study || undefined;
        const story =
          spec && stopper ? stoppingStory(spec, stopper.decisions, sel, stopper, direction) : undefined;
        const html = await renderReport({
          title: o.title,
          ...(studyTitle ? { study: studyTitle } : {}),
          sample: reportSample(sel.summary, table.table),
          source: name,
          metric,
          analysis,
          learning_curves: curves ?? {
            unavailable:
              table.format === "jsonl"
                ? "no --curve field was given for this JSONL file"
                : "a CSV results file has no learning curves (pass a journal, or JSONL with --curve)",
          },
          list_vs_random: list,
          ...(story ? { stopping: story } : {}),
        });
        fs.mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
        fs.writeFileSync(o.out, html);
        process.stdout.write(
          `wrote ${o.out} (${Math.round(html.length / 1024)} KiB): ${analysis.n} trials of ${metric}${analysis.warnings?.length ? `, ${analysis.warnings.length} warning(s)` : ""}\n`,
        );
        setExit(0);
      } catch (err) {
        process.stderr.write(`nadir report: ${(err as Error).message}\n`);
        setExit(err instanceof InvalidArgumentError ? 1 : exitCodeFor(err));
      }
    });
};
