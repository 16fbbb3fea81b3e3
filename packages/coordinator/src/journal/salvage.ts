/**
 * Salvage: copies every intact record of a damaged journal, in order and byte for byte, into a new
 * journal directory, and says what was lost. The source is only read. Records are found by resynchronising
 * on the record framing (the next offset where a length, a CRC-32C and a sequence number greater than the
 * last one all check out; see inspect.ts), so every record that does not overlap a damaged region comes
 * back, including all those after the damage.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { JournalCorruptError, JournalStateError } from "./errors.js";
import { SEGMENT_MAGIC, segmentName, writeFileAtomic } from "./format.js";
import { type DamagedRegion, inspectJournal } from "./inspect.js";

/** What {@link salvageJournal} did. */
export interface SalvageReport {
  source: string;
  out: string;
  /** The segment written in `out`. */
  file: string;
  /** Intact records copied. */
  records: number;
  /** Sequence of the first and last record copied (0 when none). */
  firstSequence: number;
  lastSequence: number;
  /** Every damaged region of the source (torn tails included), with what each lost. */
  damage: DamagedRegion[];
  /** Damaged bytes skipped in all. */
  skippedBytes: number;
  /** Records lost in all (exact where the damage lies between intact records, else an estimate). */
  recordsLost: number;
}

/**
 * Salvages the journal in `source` into the new directory `out` (which must not exist, or be empty). The
 * result is one segment, `journal-00000001.log`, written atomically (temporary file, fsync, rename); it
 * opens cleanly in the coordinator, which replays it as it would have replayed the source without the
 * lost records (a trial whose result was lost is run again).
 */
export function salvageJournal(source: string, out: string): SalvageReport {
  const ins = inspectJournal(source);
  if (ins.segments.length === 0)
    throw new JournalCorruptError(`${source}: no journal-*.log segments`, { code: "JOURNAL_NOT_FOUND" });
  const src = fs.realpathSync(source);
  const dst = path.resolve(out);
  if (dst === src || dst.startsWith(`${src}${path.sep}`))
    throw new JournalStateError(`salvage: --out ${out} must not be the source journal or inside it`);
  if (fs.existsSync(dst)) {
    if (!fs.statSync(dst).isDirectory())
      throw new JournalStateError(`salvage: --out ${out} is not a directory`);
    if (fs.readdirSync(dst).length > 0)
      throw new JournalStateError(`salvage: --out ${out} is not empty; salvage only writes a new journal`);
  }
  const parts: Buffer[] = [SEGMENT_MAGIC];
  let records = 0;
  let firstSequence = 0;
  let lastSequence = 0;
  for (const s of ins.segments) {
    for (const f of s.frames) {
      parts.push(s.data.subarray(f.offset, f.end));
      records += 1;
      lastSequence = Number(f.record.sequence);
      if (firstSequence === 0) firstSequence = lastSequence;
    }
  }
  fs.mkdirSync(dst, { recursive: true });
  const file = path.join(dst, segmentName(1));
  writeFileAtomic(file, Buffer.concat(parts));
  return {
    source,
    out,
    file,
    records,
    firstSequence,
    lastSequence,
    damage: ins.damage,
    skippedBytes: ins.damage.reduce((n, d) => n + d.length, 0),
    recordsLost: ins.damage.reduce((n, d) => n + d.recordsLost, 0),
  };
}
