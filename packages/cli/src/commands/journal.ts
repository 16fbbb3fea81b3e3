import {
  describeRegion,
  type SalvageReport,
  salvageJournal,
  type VerifyReport,
  verifyJournal,
} from "@nadir/coordinator";
import type { Command } from "commander";
import type { RegisterCommand } from "./index.js";

/** Exit code of `journal verify` for a journal the coordinator would refuse to open. */
const EXIT_CORRUPT = 1;
/** Exit code for a path that is not a journal, a bad --out, or an internal error. */
const EXIT_ERROR = 2;

function verifyText(r: VerifyReport): string {
  const lines: string[] = [];
  const seqs = (a: number, b: number): string => (a === 0 ? "" : ` (sequence ${a}..${b})`);
  if (r.status === "clean") {
    const first = r.segments[0]?.firstSequence ?? 0;
    const last = r.segments[r.segments.length - 1]?.lastSequence ?? 0;
    lines.push(
      `journal ${r.dir}: OK, ${r.segments.length} segment${r.segments.length === 1 ? "" : "s"}, ${r.records} records${seqs(first, last)}`,
    );
  } else if (r.status === "torn-tail") {
    lines.push(
      `journal ${r.dir}: OK with a torn tail: a write cut short by a crash, never acknowledged; opening the journal cuts it`,
    );
  } else {
    lines.push(`journal ${r.dir}: CORRUPT: the coordinator refuses to open it (nothing was changed on disk)`);
  }
  if (r.status !== "clean") {
    for (const s of r.segments)
      lines.push(
        `  ${s.segment}: ${s.bytes} bytes, ${s.records} intact records${seqs(s.firstSequence, s.lastSequence)}`,
      );
    for (const d of r.damage) lines.push(`  damaged: ${describeRegion(d)}`);
  }
  for (const s of r.superseded)
    lines.push(`  ${s}: superseded by a later snapshot (not read; opening deletes it)`);
  if (r.status === "corrupt")
    lines.push(
      `recover every intact record into a new journal: nadir journal salvage ${r.dir} --out <new dir>`,
    );
  return `${lines.join("\n")}\n`;
}

function salvageText(r: SalvageReport): string {
  const lines = [
    `salvaged ${r.records} intact records${r.records > 0 ? ` (sequence ${r.firstSequence}..${r.lastSequence})` : ""} from ${r.source} into ${r.file}`,
  ];
  if (r.damage.length === 0) lines.push("nothing was lost: the source has no damage");
  else {
    for (const d of r.damage) lines.push(`lost: ${describeRegion(d)}`);
    lines.push(
      `skipped ${r.skippedBytes} damaged bytes in ${r.damage.length} region${r.damage.length === 1 ? "" : "s"}; ${r.recordsLost} record${r.recordsLost === 1 ? "" : "s"} lost; the source was not modified`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * `nadir journal verify <dir>` (exit 0 clean or torn tail only, 1 corrupt, 2 not a journal) and
 * `nadir journal salvage <dir> --out <dir>` (exit 0 once the new journal is written, 2 on error).
 */
export const register: RegisterCommand = (program: Command, setExit) => {
  const journal = program
    .command("journal")
    .description("Check a coordinator journal, or salvage a damaged one");
  journal
    .command("verify")
    .description("Read every segment; report OK or each damaged region (file, offset, length, records lost)")
    .argument("<dir>", "journal directory")
    .option("--json", "print JSON")
    .action((dir: string, o: { json?: boolean }) => {
      try {
        const r = verifyJournal(dir);
        process.stdout.write(o.json ? `${JSON.stringify(r, null, 2)}\n` : verifyText(r));
        setExit(r.status === "corrupt" ? EXIT_CORRUPT : 0);
      } catch (err) {
        process.stderr.write(`nadir journal verify: ${(err as Error).message}\n`);
        setExit(EXIT_ERROR);
      }
    });
  journal
    .command("salvage")
    .description("Copy every intact record, in order, into a new journal in --out (the source is only read)")
    .argument("<dir>", "damaged journal directory")
    .requiredOption("--out <dir>", "new journal directory (must not exist, or be empty)")
    .option("--json", "print JSON")
    .action((dir: string, o: { out: string; json?: boolean }) => {
      try {
        const r = salvageJournal(dir, o.out);
        process.stdout.write(o.json ? `${JSON.stringify(r, null, 2)}\n` : salvageText(r));
        setExit(0);
      } catch (err) {
        process.stderr.write(`nadir journal salvage: ${(err as Error).message}\n`);
        setExit(EXIT_ERROR);
      }
    });
};
