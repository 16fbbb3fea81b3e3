/**
 * The journal's on-disk format: segment files, the segment magic and record framing.
 *
 *   journal-<n>.log   segments, n = 1, 2, ... (zero-padded to 8 digits); appends go to the highest n.
 *   Each segment starts with the 8-byte magic "NADIRJ01", followed by records:
 *     u32 LE payload length | u32 LE CRC-32C(payload) | payload (a nadir.v1.JournalRecord)
 *
 * A record's sequence number (field 1, always > 0, so always encoded first as the byte 0x08) increases by
 * exactly one per record across segments and compactions; readers use it to count records lost in a
 * damaged region and to recognise a record boundary when they resynchronise after damage.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { nadir } from "@nadir/protocol";
import { crc32c } from "../crc32c.js";
import { JournalStateError } from "./errors.js";

/** A journal record as a plain object; `sequence` and `recordedUnixMs` are filled by the journal. */
export type JournalEntry = Omit<nadir.v1.JournalRecord.$Properties, "sequence">;
/** A decoded journal record. */
export type JournalRecord = nadir.v1.JournalRecord;

/** The 8 bytes every segment starts with. */
export const SEGMENT_MAGIC = Buffer.from("NADIRJ01", "latin1");
/** Bytes before each payload: length and CRC. */
export const RECORD_HEADER_BYTES = 8;
/** Largest payload accepted on read or write (a larger length field is treated as damage). */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/** Encodes one record with its header. */
export function encodeRecord(record: nadir.v1.JournalRecord.$Properties): Buffer {
  const payload = nadir.v1.JournalRecord.encode(record).finish();
  if (payload.length > MAX_RECORD_BYTES) {
    throw new JournalStateError(
      `journal record of ${payload.length} bytes exceeds MAX_RECORD_BYTES (${MAX_RECORD_BYTES})`,
    );
  }
  const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(crc32c(payload), 4);
  out.set(payload, RECORD_HEADER_BYTES);
  return out;
}

/** One intact record and where it lies in its segment. */
export interface Frame {
  /** Offset of the record's header. */
  offset: number;
  /** Offset just past the record (header + payload). */
  end: number;
  record: JournalRecord;
}

/** Result of {@link readFrame}: an intact record, or why the bytes at that offset are not one. */
export type FrameRead = { ok: true; frame: Frame } | { ok: false; problem: string };

/**
 * Reads the record framed at `pos`. It is intact when its header is whole, 1 <= length <=
 * MAX_RECORD_BYTES, the payload lies inside `buf`, the CRC-32C matches, the payload decodes and its sequence
 * is greater than `afterSequence`. Never throws.
 */
export function readFrame(buf: Uint8Array, pos: number, afterSequence = 0): FrameRead {
  const remain = buf.length - pos;
  if (remain < RECORD_HEADER_BYTES)
    return {
      ok: false,
      problem: `record header at byte ${pos} is cut short (${remain} of ${RECORD_HEADER_BYTES} bytes)`,
    };
  const len = u32le(buf, pos);
  const crc = u32le(buf, pos + 4);
  if (len === 0) return { ok: false, problem: `record at byte ${pos} claims an empty payload` };
  if (len > MAX_RECORD_BYTES)
    return { ok: false, problem: `record at byte ${pos} claims ${len} bytes (limit ${MAX_RECORD_BYTES})` };
  const start = pos + RECORD_HEADER_BYTES;
  if (start + len > buf.length)
    return {
      ok: false,
      problem: `record at byte ${pos} needs ${len} payload bytes but only ${buf.length - start} remain`,
    };
  const payload = buf.subarray(start, start + len);
  const actual = crc32c(payload);
  if (actual !== crc)
    return {
      ok: false,
      problem: `record at byte ${pos}: CRC-32C 0x${hex32(actual)} != stored 0x${hex32(crc)}`,
    };
  let record: JournalRecord;
  try {
    record = nadir.v1.JournalRecord.decode(payload);
  } catch (err) {
    return { ok: false, problem: `record at byte ${pos} does not decode: ${(err as Error).message}` };
  }
  const seq = Number(record.sequence);
  if (!(seq > afterSequence))
    return {
      ok: false,
      problem: `record at byte ${pos} has sequence ${seq}, which does not follow ${afterSequence}`,
    };
  return { ok: true, frame: { offset: pos, end: start + len, record } };
}

/** The little-endian u32 at `pos` (no DataView per call: this runs once per record on every open). */
export function u32le(buf: Uint8Array, pos: number): number {
  return (
    ((buf[pos] as number) |
      ((buf[pos + 1] as number) << 8) |
      ((buf[pos + 2] as number) << 16) |
      ((buf[pos + 3] as number) << 24)) >>>
    0
  );
}

/**
 * The first offset >= `from` where an intact record (see {@link readFrame}) with a sequence greater than
 * `afterSequence` starts, or undefined. Cheap tests first (length fits, payload starts with the sequence
 * tag 0x08, the sequence varint is large enough) so that only real candidates pay for a CRC.
 */
export function findNextFrame(buf: Uint8Array, from: number, afterSequence: number): Frame | undefined {
  for (let q = from; q + RECORD_HEADER_BYTES + 2 <= buf.length; q++) {
    if (buf[q + RECORD_HEADER_BYTES] !== 0x08) continue;
    const len = u32le(buf, q);
    if (len < 2 || len > MAX_RECORD_BYTES || q + RECORD_HEADER_BYTES + len > buf.length) continue;
    const seq = readVarint(buf, q + RECORD_HEADER_BYTES + 1, q + RECORD_HEADER_BYTES + len);
    if (seq === undefined || seq <= afterSequence) continue;
    const r = readFrame(buf, q, afterSequence);
    if (r.ok) return r.frame;
  }
  return undefined;
}

/** A protobuf varint at `pos` (before `end`) as a number, or undefined when cut off or over 2^53. */
function readVarint(buf: Uint8Array, pos: number, end: number): number | undefined {
  let value = 0;
  let scale = 1;
  for (let i = pos; i < end && i < pos + 8; i++) {
    const b = buf[i] as number;
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return value;
    scale *= 128;
  }
  return undefined;
}

/** Result of scanning one segment's bytes. */
export interface SegmentScan {
  records: JournalRecord[];
  /** Length of the valid prefix (magic + whole records). */
  validBytes: number;
  /** Why scanning stopped before the end ("" when the whole buffer is valid). */
  problem: string;
}

/** Parses a segment buffer up to its first damaged record. Never throws on bad data. */
export function scanSegment(buf: Uint8Array): SegmentScan {
  const records: JournalRecord[] = [];
  if (buf.length < SEGMENT_MAGIC.length) {
    return {
      records,
      validBytes: 0,
      problem: `segment shorter than its ${SEGMENT_MAGIC.length}-byte magic (${buf.length} bytes)`,
    };
  }
  if (!hasMagic(buf)) {
    return { records, validBytes: 0, problem: "segment does not start with the NADIRJ01 magic" };
  }
  let pos = SEGMENT_MAGIC.length;
  let seq = 0;
  while (pos < buf.length) {
    const r = readFrame(buf, pos, seq);
    if (!r.ok) return { records, validBytes: pos, problem: r.problem };
    records.push(r.frame.record);
    seq = Number(r.frame.record.sequence);
    pos = r.frame.end;
  }
  return { records, validBytes: pos, problem: "" };
}

/** True when `buf` starts with the whole segment magic. */
export function hasMagic(buf: Uint8Array): boolean {
  return (
    buf.length >= SEGMENT_MAGIC.length &&
    Buffer.from(buf.buffer, buf.byteOffset, SEGMENT_MAGIC.length).equals(SEGMENT_MAGIC)
  );
}

const SEGMENT_RE = /^journal-(\d{8})\.log$/;

/** File name of segment `n`. */
export function segmentName(n: number): string {
  return `journal-${String(n).padStart(8, "0")}.log`;
}

/** Segment numbers present in `dir`, ascending. */
export function listSegments(dir: string): number[] {
  return fs
    .readdirSync(dir)
    .map((n) => SEGMENT_RE.exec(n)?.[1])
    .filter((x): x is string => x !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/** Makes a rename or a new file's directory entry durable (POSIX); harmless where unsupported. */
export function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, "r");
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    /* some platforms cannot fsync a directory */
  }
}

/** Writes `bytes` to `file` atomically: a `.tmp` sibling, fsync, rename, fsync of the directory. */
export function writeFileAtomic(file: string, bytes: Uint8Array): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, "w");
  try {
    let off = 0;
    while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}

function hex32(n: number): string {
  return n.toString(16).padStart(8, "0");
}
