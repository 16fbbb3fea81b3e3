/**
 * `nadir import optuna`: read an existing Optuna study into Nadir's trial records (JSON Lines or CSV), the
 * rows `nadir analyze` reads. The reading is @nadir/adapter-optuna's: `--journal <file>` replays Optuna's
 * JournalFileBackend log in TypeScript, `--storage <url>` (sqlite:///path.db or any SQLAlchemy URL) goes
 * through `$NADIR_PYTHON -m nadir_worker.adapters.optuna export`. This module only maps flags onto that API
 * and its errors onto exit codes (1: the study or file is invalid, 2: usage or environment).
 */
import { writeFileSync } from "node:fs";
import {
  OptunaImportError,
  readOptunaJournal,
  readOptunaStorage,
  type TrialRecord,
  toCsv,
  toJsonl,
} from "@nadir/adapter-optuna";
import type { Command } from "commander";
import { CliError, exitCodeFor, usage } from "../errors.js";
import type { RegisterCommand } from "./index.js";

interface ImportOptunaOptions {
  storage?: string;
  journal?: string;
  study: string;
  out?: string;
  format?: string;
  sampler?: string;
}

/** A wrong combination of flags: exit 2 like commander's own usage errors. */

/** Read the study, whichever source was given. */
function importOptuna(opts: ImportOptunaOptions): TrialRecord[] {
  if ((opts.storage === undefined) === (opts.journal === undefined)) {
    throw usage("give exactly one of --storage <url> or --journal <file>");
  }
  // Optuna does not store the sampler; when the user names it, the records say `imported:<sampler>`, so
  // the analysis can tell an imported random search from an adaptive one.
  const sampler = opts.sampler === undefined ? {} : { sampler: opts.sampler };
  if (opts.journal !== undefined)
    return readOptunaJournal({ file: opts.journal }, { study: opts.study, ...sampler });
  return readOptunaStorage(opts.storage as string, { study: opts.study, ...sampler });
}

/** "8 trials (4 completed, 1 pruned, ...)", states in order of first appearance. */
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
    .option(
      "--sampler <name>",
      "the sampler the study used (tpe, random, cmaes, qmc, ...; Optuna does not record it): rows get source imported:<name>",
    )
    .action((opts: ImportOptunaOptions) => {
      try {
        let format = opts.format;
        if (format === undefined) format = opts.out?.toLowerCase().endsWith(".csv") ? "csv" : "jsonl";
        if (format !== "jsonl" && format !== "csv") {
          throw usage(`--format must be jsonl or csv, got ${JSON.stringify(format)}`);
        }
        if (opts.sampler !== undefined && opts.sampler.trim() === "")
          throw usage("--sampler needs a sampler name (tpe, random, cmaes, qmc, ...)");
        const records = importOptuna(opts);
        const text = format === "csv" ? toCsv(records) : toJsonl(records);
        if (opts.out === undefined || opts.out === "-") {
          process.stdout.write(text);
        } else {
          writeFileSync(opts.out, text);
          process.stderr.write(`imported ${summary(records)} from study ${opts.study} into ${opts.out}\n`);
        }
        setExit(0);
      } catch (err) {
        if (!(err instanceof CliError) && !(err instanceof OptunaImportError)) throw err;
        process.stderr.write(`nadir import optuna: ${err.message}\n`);
        // A Python that cannot run the exporter is the environment's fault, a bad storage or study the input's.
        setExit(
          exitCodeFor(
            err instanceof OptunaImportError && err.kind === "environment"
              ? new CliError("environment", err.message)
              : err,
          ),
        );
      }
    });
};
