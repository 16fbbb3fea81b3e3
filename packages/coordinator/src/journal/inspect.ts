/**
 * Read-only inspection of a journal directory: which segments replay uses, every intact record, and every
 * damaged region, each classified as a **torn tail** or as **corruption**. Opening, `readJournal`,
 * `nadir journal verify` and `nadir journal salvage` all decide through this one function, so they can
 * never disagree about what is damage.
 *
 * A torn tail is what an interrupted append leaves: the damage starts at the last segment's last record
 * boundary, no intact record follows it, and its shape is that of a write cut short, i.e. one of
 *   - fewer than 8 bytes (a record header cut short),
 *   - a whole header whose length runs past the end of the file, where the bytes that are there do not
 *     match the header's CRC (had they matched, the record is whole and only its length field is damaged),
 *   - only zero bytes (blocks the file system allocated but never wrote after a power loss),
 *   - a last segment shorter than its magic that is a prefix of it (creation interrupted).
 * Appends go out as whole write groups through one write() and a writer only ever extends the file, so
 * an interrupted append cannot leave a complete-length record with a wrong CRC; that, and any damage
 * followed by an intact record, is corruption: a flipped bit, a bad sector, another program's write. A
 * record acknowledged under fsync "always" is on stable storage, so a torn tail never holds an
 * acknowledged result; cutting it loses nothing that was promised. Corruption is never cut: the
 * coordinator refuses to start and the bytes stay as they are, for `nadir journal salvage`.
 *
 * The one case this rule calls corruption although a crash can cause it: a power loss that persisted a
 * later page of the last write group but not an earlier one (non-zero stale data in between). Refusing
 * is the safe side there: nothing is lost, and salvage recovers every intact record.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { crc32c } from "../crc32c.js";
import { JournalCorruptError, JournalStateError } from "./errors.js";
import {
  type Frame,
  findNextFrame,
  hasMagic,
  listSegments,
  MAX_RECORD_BYTES,
  RECORD_HEADER_BYTES,
  readFrame,
  SEGMENT_MAGIC,
  segmentName,
} from "./format.js";

/** How a damaged region is treated on open. */
export type DamageKind = "torn-tail" | "corrupt";

/** One run of damaged bytes between intact records (or the segment's ends). */
export interface DamagedRegion {
  /** Segment file name, e.g. `journal-00000001.log`. */
  segment: string;
  /** Full path of the segment. */
  file: string;
  /** First damaged byte. */
  offset: number;
  /** Damaged bytes: up to the next intact record, or to the end of the segment. */
  length: number;
  kind: DamageKind;
  /** What is wrong at `offset`, in words. */
  reason: string;
  /** Sequence of the last intact record before the region (0 when none). */
  afterSequence: number;
  /** Sequence of the first intact record after the region, when there is one. */
  beforeSequence: number | undefined;
  /**
   * Records lost in the region. Exact when `recordsLostExact` (the sequence gap between the intact
   * records either side: sequences increase by one per record); otherwise a count of the record frames
   * the region's length fields describe (at least 1).
   */
  recordsLost: number;
  recordsLostExact: boolean;
  /**
   * Trials the lost records probably belonged to, read from the damaged bytes without a CRC check (so
   * unverified), e.g. `s1/12#1 trialCompleted`; empty where nothing decodes.
   */
  trials: string[];
}

/** One segment as inspected. */
export interface InspectedSegment {
  segment: string;
  file: string;
  bytes: number;
  /** Intact records, in file order. */
  frames: Frame[];
  /** Raw bytes (kept for salvage and torn-tail truncation). */
  data: Buffer;
}

/** Everything {@link inspectJournal} found. */
export interface JournalInspection {
  dir: string;
  /** Segments replay uses (from the newest one that starts with a snapshot), oldest first. */
  segments: InspectedSegment[];
  /** Older segments a snapshot supersedes (open deletes them; they are not read). */
  superseded: string[];
  /** Every damaged region, in file order. */
  damage: DamagedRegion[];
  /** "clean", "torn-tail" (only a torn tail, which open cuts), or "corrupt" (open refuses). */
  status: "clean" | "torn-tail" | "corrupt";
}

/** JournalRecord's entry fields by number (journal.proto). */
const ENTRY_FIELDS = new Map<number, string>([
  [10, "studyCreated"],
  [11, "studyStateChanged"],
  [12, "trialCreated"],
  [13, "attemptAssigned"],
  [14, "trialReport"],
  [15, "trialCompleted"],
  [16, "trialFailed"],
  [17, "trialStopped"],
  [18, "trialEvent"],
  [19, "gradientHistogram"],
  [20, "snapshot"],
  [30, "envelope"],
]);

/** A varint at `pos` and the offset after it, or undefined when malformed or cut off. */
function varintAt(buf: Uint8Array, pos: number, end: number): { value: number; next: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = pos; i < end && i < pos + 8; i++) {
    const b = buf[i] as number;
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return { value, next: i + 1 };
    scale *= 128;
  }
  return undefined;
}

/**
 * The first length-delimited field accepted by `want` in buf[start, end), reading the protobuf wire format
 * field by field and giving up at the first malformed one (so the fields before a damaged byte are still
 * read). Its value is clamped to `end`.
 */
function lenField(
  buf: Uint8Array,
  start: number,
  end: number,
  want: (field: number) => boolean,
): { field: number; start: number; end: number } | undefined {
  let p = start;
  while (p < end) {
    const key = varintAt(buf, p, end);
    if (!key) return undefined;
    p = key.next;
    const field = Math.floor(key.value / 8);
    const wire = key.value % 8;
    if (wire === 0) {
      const v = varintAt(buf, p, end);
      if (!v) return undefined;
      p = v.next;
    } else if (wire === 1) p += 8;
    else if (wire === 5) p += 4;
    else if (wire === 2) {
      const len = varintAt(buf, p, end);
      if (!len) return undefined;
      if (want(field)) return { field, start: len.next, end: Math.min(end, len.next + len.value) };
      p = len.next + len.value;
    } else return undefined;
  }
  return undefined;
}

/**
 * What a damaged record payload was probably about, e.g. `s1/12#1 trialCompleted`: its entry kind and, for
 * entries about a trial (whose field 1 is the TrialRef, or the assignment holding it), the trial; "" when
 * not even the kind can be read. The CRC failed, so this is a guess, reported as unverified.
 */
export function guessDamagedRecord(payload: Uint8Array): string {
  const entry = lenField(payload, 0, payload.length, (f) => ENTRY_FIELDS.has(f));
  if (!entry) return "";
  const kind = ENTRY_FIELDS.get(entry.field) as string;
  if (["studyCreated", "studyStateChanged", "snapshot", "envelope"].includes(kind)) return kind;
  let ref = lenField(payload, entry.start, entry.end, (f) => f === 1);
  if (ref && kind === "attemptAssigned") ref = lenField(payload, ref.start, ref.end, (f) => f === 1);
  if (!ref) return kind;
  // TrialRef by hand: study_id = 1 (string), trial_id = 2, attempt = 3. A damaged byte of the study id
  // shows as "?" (a protobuf decoder refuses invalid UTF-8): the trial id and attempt are worth naming.
  let study = "";
  let trialId = 0;
  let attempt = 0;
  for (let p = ref.start; p < ref.end; ) {
    const key = varintAt(payload, p, ref.end);
    if (!key) break;
    const v = varintAt(payload, key.next, ref.end);
    if (!v) break;
    if (key.value === 0x0a) {
      const bytes = payload.subarray(v.next, Math.min(ref.end, v.next + v.value));
      study = Array.from(bytes, (c) => (c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : "?")).join("");
      p = v.next + v.value;
    } else if (key.value === 0x10) {
      trialId = v.value;
      p = v.next;
    } else if (key.value === 0x18) {
      attempt = v.value;
      p = v.next;
    } else break;
  }
  if (study || trialId) return `${study}/${trialId}#${attempt} ${kind}`;
  return kind;
}

/**
 * Walks the region's bytes by their length fields (no CRC check), guessing what each record was. Used only
 * to estimate and name what a region lost; nothing read here is ever replayed.
 */
function walkDamaged(buf: Uint8Array, start: number, end: number): { frames: number; trials: string[] } {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const trials: string[] = [];
  let frames = 0;
  let pos = start;
  while (pos < end) {
    frames += 1;
    if (end - pos < RECORD_HEADER_BYTES) break;
    const len = view.getUint32(pos, true);
    const payload = buf.subarray(pos + RECORD_HEADER_BYTES, Math.min(end, pos + RECORD_HEADER_BYTES + len));
    const d = guessDamagedRecord(payload);
    if (d && !trials.includes(d)) trials.push(d);
    if (len === 0 || len > MAX_RECORD_BYTES || pos + RECORD_HEADER_BYTES + len > end) break;
    pos += RECORD_HEADER_BYTES + len;
  }
  return { frames: Math.max(1, frames), trials };
}

/** Why a trailing region of the last segment looks like an interrupted write, or "" when it does not. */
function tornShape(buf: Uint8Array, pos: number): string {
  const remain = buf.length - pos;
  if (remain < RECORD_HEADER_BYTES) return "record header cut short";
  let zero = true;
  for (let i = pos; i < buf.length && zero; i++) zero = buf[i] === 0;
  if (zero) return "zero-filled tail";
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const len = view.getUint32(pos, true);
  const crc = view.getUint32(pos + 4, true);
  if (
    len >= 1 &&
    len <= MAX_RECORD_BYTES &&
    pos + RECORD_HEADER_BYTES + len > buf.length &&
    crc32c(buf.subarray(pos + RECORD_HEADER_BYTES)) !== crc
  )
    return "last record cut short";
  return "";
}

/** A segment deleted between listing and reading (a live coordinator finished a compaction meanwhile). */
class SegmentVanished extends Error {}

function readSegment(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new SegmentVanished(file);
    throw err;
  }
}

/**
 * Inspects a journal directory without changing anything (see the module comment for the rules).
 * Throws JournalCorruptError (code JOURNAL_NOT_FOUND) when `dir` is not a directory; a directory without
 * segments inspects as clean and empty.
 */
export function inspectJournal(dir: string): JournalInspection {
  // A reader (status, export) may race a live coordinator's compaction, which renames the new segment in
  // and then deletes the old ones: list again rather than take a vanished segment for an empty one.
  for (let attempt = 1; ; attempt++) {
    try {
      return inspectOnce(dir);
    } catch (err) {
      if (!(err instanceof SegmentVanished)) throw err;
      if (attempt >= 5)
        throw new JournalStateError(
          `${dir}: segment ${err.message} vanished while being read, 5 times; retry`,
        );
    }
  }
}

function inspectOnce(dir: string): JournalInspection {
  let isDir = false;
  try {
    isDir = fs.statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new JournalCorruptError(`${dir}: not a journal directory`, { code: "JOURNAL_NOT_FOUND" });
  const numbers = listSegments(dir);
  const datas = new Map<number, Buffer>();
  let start = 0;
  // The newest segment that begins with an intact snapshot makes all older ones unnecessary.
  for (let i = numbers.length - 1; i >= 0; i--) {
    const n = numbers[i] as number;
    const data = readSegment(path.join(dir, segmentName(n)));
    datas.set(n, data);
    const first = hasMagic(data) ? readFrame(data, SEGMENT_MAGIC.length) : undefined;
    if (first?.ok && first.frame.record.entry === "snapshot") {
      start = i;
      break;
    }
  }
  const used = numbers.slice(start);
  const segments: InspectedSegment[] = [];
  // Regions before the sequence of the record that follows them is known.
  const pending: { region: DamagedRegion; seg: InspectedSegment }[] = [];
  const damage: DamagedRegion[] = [];
  let seq = 0;
  // Once the record after a region is known, the sequence gap says exactly how many records it lost.
  const settle = (nextSeq: number | undefined): void => {
    for (const { region: r, seg: s } of pending.splice(0)) {
      r.beforeSequence = nextSeq;
      const walk = walkDamaged(s.data, Math.max(r.offset, SEGMENT_MAGIC.length), r.offset + r.length);
      r.trials = walk.trials;
      if (nextSeq !== undefined) {
        r.recordsLost = nextSeq - r.afterSequence - 1;
        r.recordsLostExact = true;
      } else {
        r.recordsLost = r.offset + r.length <= SEGMENT_MAGIC.length ? 0 : walk.frames;
      }
    }
  };
  for (let i = 0; i < used.length; i++) {
    const n = used[i] as number;
    const name = segmentName(n);
    const file = path.join(dir, name);
    const data = datas.get(n) ?? readSegment(file);
    const seg: InspectedSegment = { segment: name, file, bytes: data.length, frames: [], data };
    segments.push(seg);
    const last = i === used.length - 1;
    const region = (offset: number, end: number, reason: string): void => {
      const r: DamagedRegion = {
        segment: name,
        file,
        offset,
        length: end - offset,
        kind: "corrupt",
        reason,
        afterSequence: seq,
        beforeSequence: undefined,
        recordsLost: 0,
        recordsLostExact: false,
        trials: [],
      };
      damage.push(r);
      pending.push({ region: r, seg });
    };
    let pos = SEGMENT_MAGIC.length;
    if (data.length < SEGMENT_MAGIC.length) {
      const prefix = SEGMENT_MAGIC.subarray(0, data.length).equals(data);
      region(
        0,
        data.length,
        `segment shorter than its ${SEGMENT_MAGIC.length}-byte magic (${data.length} bytes)`,
      );
      const r = damage[damage.length - 1] as DamagedRegion;
      if (last && prefix) r.kind = "torn-tail";
      continue;
    }
    if (!hasMagic(data)) {
      const next = findNextFrame(data, SEGMENT_MAGIC.length, seq);
      region(0, next?.offset ?? data.length, "segment does not start with the NADIRJ01 magic");
      if (!next) continue;
      pos = next.offset;
    }
    while (pos < data.length) {
      const r = readFrame(data, pos, seq);
      if (r.ok) {
        settle(Number(r.frame.record.sequence));
        seg.frames.push(r.frame);
        seq = Number(r.frame.record.sequence);
        pos = r.frame.end;
        continue;
      }
      const next = findNextFrame(data, pos + 1, seq);
      region(pos, next?.offset ?? data.length, r.problem);
      if (!next) {
        const shape = last ? tornShape(data, pos) : "";
        if (shape) {
          const t = damage[damage.length - 1] as DamagedRegion;
          t.kind = "torn-tail";
          t.reason = `${shape}: ${t.reason}`;
        }
        break;
      }
      pos = next.offset;
    }
  }
  settle(undefined);
  const status = damage.some((d) => d.kind === "corrupt")
    ? "corrupt"
    : damage.length > 0
      ? "torn-tail"
      : "clean";
  return { dir, segments, superseded: numbers.slice(0, start).map(segmentName), damage, status };
}

/** One line describing a region, e.g. for logs and the CLI. */
export function describeRegion(r: DamagedRegion): string {
  const lost =
    r.recordsLost === 0
      ? "no records"
      : r.recordsLostExact
        ? `${r.recordsLost} record${r.recordsLost === 1 ? "" : "s"} (sequence ${r.afterSequence + 1}${r.recordsLost > 1 ? `..${r.afterSequence + r.recordsLost}` : ""})`
        : `about ${r.recordsLost} record${r.recordsLost === 1 ? "" : "s"} (after sequence ${r.afterSequence})`;
  const trials = r.trials.length > 0 ? `; probably ${r.trials.join(", ")} (unverified)` : "";
  return `${r.segment} bytes ${r.offset}..${r.offset + r.length} (${r.length} bytes, ${r.kind}): ${r.reason}; ${lost} lost${trials}`;
}

/** The error open and readers raise for the first corrupt region of an inspection. */
export function corruptionError(ins: JournalInspection): JournalCorruptError | undefined {
  const bad = ins.damage.filter((d) => d.kind === "corrupt");
  const first = bad[0];
  if (!first) return undefined;
  const intactAfter = ins.segments.reduce(
    (n, s) =>
      n +
      s.frames.filter(
        (f) => s.segment > first.segment || (s.segment === first.segment && f.offset > first.offset),
      ).length,
    0,
  );
  return new JournalCorruptError(
    `${first.file}: journal corrupt at byte ${first.offset}: ${first.reason}` +
      `${intactAfter > 0 ? `; ${intactAfter} intact record${intactAfter === 1 ? "" : "s"} follow, so this is not a torn tail` : ""}` +
      `${bad.length > 1 ? ` (${bad.length} damaged regions in all)` : ""}. Nothing was changed on disk. ` +
      `See the damage with \`nadir journal verify ${ins.dir}\`; recover every intact record into a new ` +
      `journal with \`nadir journal salvage ${ins.dir} --out <new dir>\`.`,
    { file: first.file, offset: first.offset },
  );
}

/** A segment in a {@link VerifyReport}. */
export interface VerifiedSegment {
  segment: string;
  file: string;
  bytes: number;
  /** Intact records. */
  records: number;
  /** Sequence of the first and last intact record (0 when none). */
  firstSequence: number;
  lastSequence: number;
}

/** What `nadir journal verify` reports (plain data, JSON-ready). */
export interface VerifyReport {
  dir: string;
  /** "clean", "torn-tail" (open cuts it: an interrupted write, never acknowledged), "corrupt" (open refuses). */
  status: JournalInspection["status"];
  segments: VerifiedSegment[];
  superseded: string[];
  /** Intact records in all. */
  records: number;
  damage: DamagedRegion[];
}

/**
 * Reads every segment replay would use and reports each damaged region (read-only). Throws
 * JournalCorruptError with code JOURNAL_NOT_FOUND when `dir` holds no journal.
 */
export function verifyJournal(dir: string): VerifyReport {
  const ins = inspectJournal(dir);
  if (ins.segments.length === 0)
    throw new JournalCorruptError(`${dir}: no journal-*.log segments`, { code: "JOURNAL_NOT_FOUND" });
  const segments = ins.segments.map((s) => ({
    segment: s.segment,
    file: s.file,
    bytes: s.bytes,
    records: s.frames.length,
    firstSequence: Number(s.frames[0]?.record.sequence ?? 0),
    lastSequence: Number(s.frames[s.frames.length - 1]?.record.sequence ?? 0),
  }));
  return {
    dir,
    status: ins.status,
    segments,
    superseded: ins.superseded,
    records: segments.reduce((n, s) => n + s.records, 0),
    damage: ins.damage,
  };
}
