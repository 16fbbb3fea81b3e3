import * as fs from "node:fs";
import { type ExportFormat, exportStudy } from "@nadir/coordinator";
import type { Command } from "commander";
import { EXIT_CODES, exitCodeFor } from "../errors.js";
import type { RegisterCommand } from "./index.js";

/** `nadir export`: write one study of a journal as CSV, JSON Lines or learning curves. */
export const register: RegisterCommand = (program: Command, setExit) => {
  program
    .command("export")
    .description("Export a study from a journal directory (the format `nadir analyze` reads)")
    .argument("<journal>", "journal directory")
    .requiredOption("--study <id>", "study id")
    .option("--format <format>", "csv | jsonl | curves-jsonl", "csv")
    .option("--out <file>", "write here instead of stdout")
    .action((journal: string, o: { study: string; format: string; out?: string }) => {
      if (!["csv", "jsonl", "curves-jsonl"].includes(o.format)) {
        process.stderr.write(
          `nadir export: --format must be csv, jsonl or curves-jsonl, got ${JSON.stringify(o.format)}\n`,
        );
        return setExit(EXIT_CODES.usage);
      }
      try {
        const text = exportStudy(journal, o.study, o.format as ExportFormat);
        if (o.out) fs.writeFileSync(o.out, text);
        else process.stdout.write(text);
        setExit(0);
      } catch (err) {
        process.stderr.write(`nadir export: ${(err as Error).message}\n`);
        setExit(exitCodeFor(err));
      }
    });
};
