/**
 * The embedded trial store: an append-only journal of protobuf `JournalRecord`s on local disk.
 *
 * File layout (one directory):
 *   journal-<n>.log   segments, n = 1, 2, ... (zero-padded to 8 digits); appends go to the highest n.
 *   Each segment starts with the 8-byte magic "NADIRJ01", followed by records:
 *     u32 LE payload length | u32 LE CRC-32C(payload) | payload (a nadir.v1.JournalRecord)
 *   A compaction writes `journal-<n+1>.log.tmp` (a Snapshot record, then the records still needed for
 *   live trials), fsyncs it, renames it into place (atomic), fsyncs the directory and only then deletes the
 *   older segments. Replay starts at the newest segment whose first record is a Snapshot.
 *
 * Torn tails: a crash can leave a partial record at the end of the last segment. On open, the first record
 * whose header is short, whose length runs past the end of the file, exceeds MAX_RECORD_BYTES, whose CRC
 * does not match or whose payload does not decode ends the valid prefix; the file is truncated there and
 * the loss reported in {@link ReplayReport}. The same damage in an older segment is real corruption and
 * raises {@link JournalCorruptError}.
 *
 * Durability (fsync policy, see README): appends are grouped ("group commit"): every record appended in
 * one event-loop turn, or while the previous group's fdatasync is in flight, goes into the next single
 * write() (synchronous: into the page cache). With `fsync: "always"` (default) each group is followed by
 * fdatasync and the promises returned by {@link FileJournal.append} resolve only after it, so a record
 * whose promise resolved survives power loss; the coordinator acknowledges a result only after that.
 * `"interval"` resolves after the write (survives a process crash, SIGKILL included) and fdatasyncs
 * at most every `fsyncIntervalMs`. `"never"` leaves flushing to the OS.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { nadir } from "@nadir/protocol";
import { crc32c } from "./crc32c.js";

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

/** How appended records reach stable storage. */
export type FsyncPolicy = "always" | "interval" | "never";

/** Thrown when a journal cannot be read: damage before the last segment's tail, or a bad directory. */
export class JournalCorruptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JournalCorruptError";
  }
}

/** Thrown by append/compact after close, or for a record that cannot be stored. */
export class JournalStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JournalStateError";
  }
}

/** What happened while opening a journal. */
export interface ReplayReport {
  segments: string[];
  records: number;
  /** Bytes cut from the end of the last segment (a torn tail), 0 when clean. */
  truncatedBytes: number;
  /** Why the tail was cut (empty when clean). */
  truncationReason: string;
  /** Sequence of the last valid record (0 when empty). */
  lastSequence: number;
}

/**
 * The storage interface the coordinator writes through, so that a database backend can be added later.
 * `open` returns every record needed to rebuild state, in order; `append` resolves once the record is as
 * durable as the backend promises; `compact` replaces the history with the given records (a Snapshot
 * first) in one atomic step.
 */
export interface TrialStore {
  open(): { records: JournalRecord[]; report: ReplayReport };
  append(entry: JournalEntry): Promise<void>;
  /** Records appended since the last compaction (to decide when to compact). */
  readonly recordsSinceCompaction: number;
  compact(entries: JournalEntry[]): Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link FileJournal}. */
export interface FileJournalOptions {
  /** Default "always". */
  fsync?: FsyncPolicy;
  /** For "interval": the longest time a written record waits for fdatasync (default 200 ms). */
  fsyncIntervalMs?: number;
  /** Called with a human-readable line for recoverable damage (torn tails). */
  onWarning?: (message: string) => void;
}

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
  if (!Buffer.from(buf.buffer, buf.byteOffset, SEGMENT_MAGIC.length).equals(SEGMENT_MAGIC)) {
    return { records, validBytes: 0, problem: "segment does not start with the NADIRJ01 magic" };
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = SEGMENT_MAGIC.length;
  while (pos < buf.length) {
    if (buf.length - pos < RECORD_HEADER_BYTES) {
      return {
        records,
        validBytes: pos,
        problem: `record header at byte ${pos} is cut short (${buf.length - pos} of ${RECORD_HEADER_BYTES} bytes)`,
      };
    }
    const len = view.getUint32(pos, true);
    const crc = view.getUint32(pos + 4, true);
    if (len > MAX_RECORD_BYTES)
      return {
        records,
        validBytes: pos,
        problem: `record at byte ${pos} claims ${len} bytes (limit ${MAX_RECORD_BYTES})`,
      };
    const start = pos + RECORD_HEADER_BYTES;
    if (start + len > buf.length) {
      return {
        records,
        validBytes: pos,
        problem: `record at byte ${pos} needs ${len} payload bytes but only ${buf.length - start} remain`,
      };
    }
    const payload = buf.subarray(start, start + len);
    const actual = crc32c(payload);
    if (actual !== crc) {
      return {
        records,
        validBytes: pos,
        problem: `record at byte ${pos}: CRC-32C 0x${actual.toString(16)} != stored 0x${crc.toString(16)}`,
      };
    }
    let rec: JournalRecord;
    try {
      rec = nadir.v1.JournalRecord.decode(payload);
    } catch (err) {
      return {
        records,
        validBytes: pos,
        problem: `record at byte ${pos} does not decode: ${(err as Error).message}`,
      };
    }
    records.push(rec);
    pos = start + len;
  }
  return { records, validBytes: pos, problem: "" };
}

const SEGMENT_RE = /^journal-(\d{8})\.log$/;

function segmentName(n: number): string {
  return `journal-${String(n).padStart(8, "0")}.log`;
}

function fsyncDir(dir: string): void {
  // Makes a rename or a new file's directory entry durable (POSIX); harmless where unsupported.
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

interface Pending {
  buf: Buffer;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** The default {@link TrialStore}: segment files in one directory (see the module comment). */
export class FileJournal implements TrialStore {
  readonly dir: string;
  readonly fsync: FsyncPolicy;
  readonly fsyncIntervalMs: number;
  private readonly onWarning: (message: string) => void;
  private fd: number | undefined;
  private segment = 0;
  private sequence = 0;
  private queue: Pending[] = [];
  private flushing = false;
  private closed = false;
  private lastFsync = 0;
  private fsyncTimer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];
  private sinceCompaction = 0;

  constructor(dir: string, options: FileJournalOptions = {}) {
    if (typeof dir !== "string" || dir.length === 0)
      throw new JournalStateError("FileJournal: dir must be a non-empty path");
    const policy = options.fsync ?? "always";
    if (!["always", "interval", "never"].includes(policy)) {
      throw new JournalStateError(
        `FileJournal: fsync must be "always", "interval" or "never", got ${JSON.stringify(policy)}`,
      );
    }
    const interval = options.fsyncIntervalMs ?? 200;
    if (!Number.isFinite(interval) || interval <= 0)
      throw new JournalStateError(`FileJournal: fsyncIntervalMs must be > 0, got ${interval}`);
    this.dir = dir;
    this.fsync = policy;
    this.fsyncIntervalMs = interval;
    this.onWarning = options.onWarning ?? (() => {});
  }

  get recordsSinceCompaction(): number {
    return this.sinceCompaction;
  }

  /** Sequence number of the last record appended or replayed. */
  get lastSequence(): number {
    return this.sequence;
  }

  /**
   * Opens (creating if needed) the directory, removes leftovers of an interrupted compaction, replays the
   * segments from the newest snapshot on, truncates a torn tail, and opens the last segment for appends.
   */
  open(): { records: JournalRecord[]; report: ReplayReport } {
    if (this.fd !== undefined) throw new JournalStateError("FileJournal.open: already open");
    fs.mkdirSync(this.dir, { recursive: true });
    for (const name of fs.readdirSync(this.dir)) {
      if (name.endsWith(".log.tmp")) fs.rmSync(path.join(this.dir, name), { force: true });
    }
    const numbers = fs
      .readdirSync(this.dir)
      .map((n) => SEGMENT_RE.exec(n)?.[1])
      .filter((x): x is string => x !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    const scans = new Map<number, SegmentScan>();
    let start = 0;
    // The newest segment that begins with a snapshot makes all older ones unnecessary.
    for (let i = numbers.length - 1; i >= 0; i--) {
      const n = numbers[i] as number;
      const scan = scanSegment(fs.readFileSync(path.join(this.dir, segmentName(n))));
      scans.set(n, scan);
      if (scan.records[0]?.entry === "snapshot") {
        start = i;
        break;
      }
    }
    const used = numbers.slice(start);
    const records: JournalRecord[] = [];
    const report: ReplayReport = {
      segments: used.map(segmentName),
      records: 0,
      truncatedBytes: 0,
      truncationReason: "",
      lastSequence: 0,
    };
    for (let i = 0; i < used.length; i++) {
      const n = used[i] as number;
      const file = path.join(this.dir, segmentName(n));
      const scan = scans.get(n) ?? scanSegment(fs.readFileSync(file));
      const size = fs.statSync(file).size;
      if (scan.problem) {
        if (i !== used.length - 1)
          throw new JournalCorruptError(
            `${file}: ${scan.problem} (not the last segment, so not a torn tail)`,
          );
        report.truncatedBytes = size - scan.validBytes;
        report.truncationReason = scan.problem;
        this.onWarning(
          `journal: torn tail in ${segmentName(n)}: ${scan.problem}; truncating ${report.truncatedBytes} bytes`,
        );
        if (scan.validBytes < SEGMENT_MAGIC.length) {
          fs.writeFileSync(file, SEGMENT_MAGIC);
        } else {
          fs.truncateSync(file, scan.validBytes);
        }
      }
      for (const r of scan.records) {
        if (r.sequence <= this.sequence) {
          throw new JournalCorruptError(`${file}: sequence ${r.sequence} does not follow ${this.sequence}`);
        }
        this.sequence = r.sequence;
        records.push(r);
      }
    }
    // Older segments are garbage once a snapshot supersedes them (deleted here in case a crash interrupted
    // the deletion after a compaction).
    for (const n of numbers.slice(0, start)) fs.rmSync(path.join(this.dir, segmentName(n)), { force: true });
    report.records = records.length;
    report.lastSequence = this.sequence;
    this.segment = used.length > 0 ? (used[used.length - 1] as number) : 1;
    const active = path.join(this.dir, segmentName(this.segment));
    if (used.length === 0) {
      fs.writeFileSync(active, SEGMENT_MAGIC);
    }
    this.fd = fs.openSync(active, "a");
    if (used.length === 0) {
      fs.fsyncSync(this.fd);
      fsyncDir(this.dir);
    }
    this.sinceCompaction = records.length;
    return { records, report };
  }

  /**
   * Appends one record (assigning its sequence and time). Resolves when the record is durable according
   * to the fsync policy; rejects if the write fails (the journal then refuses further appends).
   */
  append(entry: JournalEntry): Promise<void> {
    if (this.closed || this.fd === undefined)
      return Promise.reject(new JournalStateError("FileJournal.append: journal is not open"));
    this.sequence += 1;
    const buf = encodeRecord({
      ...entry,
      sequence: this.sequence,
      recordedUnixMs: entry.recordedUnixMs || Date.now(),
    });
    this.sinceCompaction += 1;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ buf, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        // setImmediate lets every record produced in this event-loop turn join the same group.
        setImmediate(() => void this.flushLoop());
      }
    });
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        try {
          this.writeAllSync(batch.map((p) => p.buf));
          if (this.fsync === "always") {
            await fdatasync(this.fd as number);
          } else if (this.fsync === "interval") {
            this.scheduleFsync();
          }
          for (const p of batch) p.resolve();
        } catch (err) {
          const e = new JournalStateError(`journal write failed: ${(err as Error).message}`);
          for (const p of batch) p.reject(e);
          for (const p of this.queue) p.reject(e);
          this.queue = [];
          this.closed = true;
        }
      }
    } finally {
      this.flushing = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /**
   * Writes a group into the page cache with one synchronous write(): for a group of records that takes
   * microseconds, less than the thread-pool round trip an asynchronous write would add to every commit
   * (and to every "interval" ack). Only the fdatasync, which waits for the disk, goes to the pool.
   */
  private writeAllSync(bufs: Buffer[]): void {
    const fd = this.fd as number;
    const total = bufs.length === 1 ? (bufs[0] as Buffer) : Buffer.concat(bufs);
    let offset = 0;
    while (offset < total.length) offset += fs.writeSync(fd, total, offset, total.length - offset);
  }

  private scheduleFsync(): void {
    if (this.fsyncTimer) return;
    const wait = Math.max(0, this.lastFsync + this.fsyncIntervalMs - Date.now());
    this.fsyncTimer = setTimeout(() => {
      this.fsyncTimer = undefined;
      this.lastFsync = Date.now();
      if (this.fd !== undefined) fs.fdatasync(this.fd, () => {});
    }, wait);
    this.fsyncTimer.unref();
  }

  /** Resolves when no write is in flight and nothing is queued. */
  private async idle(): Promise<void> {
    while (this.flushing || this.queue.length > 0) {
      await new Promise<void>((r) => this.idleWaiters.push(r));
    }
  }

  /**
   * Replaces the history: writes `entries` (the first must be a Snapshot) into a new segment, atomically
   * renames it into place and deletes the older segments. Appends made meanwhile are not lost: they wait
   * for the compaction and go into the new segment.
   */
  async compact(entries: JournalEntry[]): Promise<void> {
    if (this.closed || this.fd === undefined)
      throw new JournalStateError("FileJournal.compact: journal is not open");
    if (entries[0]?.snapshot === undefined || entries[0]?.snapshot === null) {
      throw new JournalStateError("FileJournal.compact: the first entry must be a snapshot");
    }
    await this.idle();
    // From here to the end everything is synchronous, so no append can interleave.
    this.flushing = true;
    try {
      const next = this.segment + 1;
      const tmp = path.join(this.dir, `${segmentName(next)}.tmp`);
      const parts: Buffer[] = [SEGMENT_MAGIC];
      const now = Date.now();
      for (const e of entries) {
        this.sequence += 1;
        parts.push(encodeRecord({ ...e, sequence: this.sequence, recordedUnixMs: e.recordedUnixMs || now }));
      }
      const fd = fs.openSync(tmp, "w");
      try {
        fs.writeSync(fd, Buffer.concat(parts));
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, path.join(this.dir, segmentName(next)));
      fsyncDir(this.dir);
      fs.closeSync(this.fd);
      this.fd = fs.openSync(path.join(this.dir, segmentName(next)), "a");
      for (let n = this.segment; n >= 1; n--) fs.rmSync(path.join(this.dir, segmentName(n)), { force: true });
      this.segment = next;
      this.sinceCompaction = entries.length;
    } finally {
      this.flushing = false;
      if (this.queue.length > 0) {
        this.flushing = true;
        setImmediate(() => void this.flushLoop());
      }
    }
  }

  /** Flushes, fsyncs and closes. Further appends reject. */
  async close(): Promise<void> {
    if (this.fd === undefined) return;
    await this.idle();
    this.closed = true;
    if (this.fsyncTimer) clearTimeout(this.fsyncTimer);
    const fd = this.fd;
    this.fd = undefined;
    if (this.fsync !== "never") fs.fdatasyncSync(fd);
    fs.closeSync(fd);
  }
}

function fdatasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
}

/** A {@link TrialStore} that keeps nothing (for `nadir serve` without --journal, and benchmarks). */
export class MemoryStore implements TrialStore {
  private count = 0;
  open(): { records: JournalRecord[]; report: ReplayReport } {
    return {
      records: [],
      report: { segments: [], records: 0, truncatedBytes: 0, truncationReason: "", lastSequence: 0 },
    };
  }
  append(_entry: JournalEntry): Promise<void> {
    this.count += 1;
    return Promise.resolve();
  }
  get recordsSinceCompaction(): number {
    return this.count;
  }
  compact(entries: JournalEntry[]): Promise<void> {
    this.count = entries.length;
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Reads every record of a journal directory without modifying it (for export and status tools). */
export function readJournal(dir: string): { records: JournalRecord[]; problem: string } {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new JournalCorruptError(`${dir}: not a journal directory`);
  const numbers = fs
    .readdirSync(dir)
    .map((n) => SEGMENT_RE.exec(n)?.[1])
    .filter((x): x is string => x !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  if (numbers.length === 0) throw new JournalCorruptError(`${dir}: no journal-*.log segments`);
  const scans = numbers.map((n) => scanSegment(fs.readFileSync(path.join(dir, segmentName(n)))));
  let start = 0;
  for (let i = scans.length - 1; i >= 0; i--) {
    if (scans[i]?.records[0]?.entry === "snapshot") {
      start = i;
      break;
    }
  }
  const records: JournalRecord[] = [];
  let problem = "";
  for (let i = start; i < scans.length; i++) {
    const s = scans[i] as SegmentScan;
    records.push(...s.records);
    if (s.problem) problem = `${segmentName(numbers[i] as number)}: ${s.problem}`;
  }
  return { records, problem };
}
