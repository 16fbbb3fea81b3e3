/**
 * The embedded trial store: an append-only journal of protobuf `JournalRecord`s on local disk (format in
 * format.ts).
 *
 * A compaction writes `journal-<n+1>.log.tmp` (a Snapshot record, then the records still needed for
 * live trials), fsyncs it, renames it into place (atomic), fsyncs the directory and only then deletes the
 * older segments. Replay starts at the newest segment whose first record is a Snapshot.
 *
 * Damage on open (rules in inspect.ts): a torn tail (an interrupted last write) is cut and reported in
 * {@link ReplayReport}; anything else is corruption and open throws {@link JournalCorruptError} (naming the
 * file and byte offset) before it changes anything on disk.
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
import { JournalCorruptError, JournalStateError } from "./errors.js";
import {
  encodeRecord,
  fsyncDir,
  type JournalEntry,
  type JournalRecord,
  SEGMENT_MAGIC,
  segmentName,
} from "./format.js";
import { corruptionError, describeRegion, inspectJournal } from "./inspect.js";

/** How appended records reach stable storage. */
export type FsyncPolicy = "always" | "interval" | "never";

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
  /**
   * Opens the store once, before any other call, and returns every record needed to rebuild the state in
   * append order (from the newest snapshot on), with what was repaired. The coordinator applies the
   * records to its state book through the same `apply*` path as live records, so replay and live serving
   * cannot disagree. Throws (e.g. {@link JournalCorruptError}) for a history it cannot trust, rather than
   * serving from a partial one.
   */
  open(): { records: JournalRecord[]; report: ReplayReport };
  /**
   * Appends one record; the store assigns its sequence number and, when unset, its time. Records become
   * durable in append order. The promise resolves once the record is as durable as the backend promises
   * (the coordinator acknowledges a result or sends an assignment only after that) and rejects when it
   * cannot be stored (the store then refuses further appends).
   */
  append(entry: JournalEntry): Promise<void>;
  /** Records appended since the last compaction (to decide when to compact). */
  readonly recordsSinceCompaction: number;
  /**
   * Replaces the whole history with `entries` (a Snapshot first, then the records still needed for live
   * trials) in one atomic step: after a crash, {@link TrialStore.open} returns either the old history or
   * the new one, never a mix. Bounds replay time and disk use for long studies. Appends made while it
   * runs are kept, after the new history. Resets {@link TrialStore.recordsSinceCompaction} to
   * `entries.length`.
   */
  compact(entries: JournalEntry[]): Promise<void>;
  /**
   * Waits for pending appends, makes them durable and releases the backend; resolves when done. Appends
   * after it are not stored ({@link FileJournal} rejects them). Called once, by Coordinator.stop().
   */
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
   * Opens (creating if needed) the directory and replays the segments from the newest snapshot on. A
   * corrupt journal throws {@link JournalCorruptError} before anything on disk is touched; otherwise a
   * torn tail is cut, leftovers of an interrupted compaction are removed, and the last segment is opened
   * for appends.
   */
  open(): { records: JournalRecord[]; report: ReplayReport } {
    if (this.fd !== undefined) throw new JournalStateError("FileJournal.open: already open");
    fs.mkdirSync(this.dir, { recursive: true });
    const ins = inspectJournal(this.dir);
    const corrupt = corruptionError(ins);
    if (corrupt) throw corrupt;
    // From here on the journal is known to be whole but for a torn tail: repairs may begin.
    for (const name of fs.readdirSync(this.dir)) {
      if (name.endsWith(".log.tmp")) fs.rmSync(path.join(this.dir, name), { force: true });
    }
    const report: ReplayReport = {
      segments: ins.segments.map((s) => s.segment),
      records: 0,
      truncatedBytes: 0,
      truncationReason: "",
      lastSequence: 0,
    };
    const torn = ins.damage[0];
    if (torn) {
      report.truncatedBytes = torn.length;
      report.truncationReason = torn.reason;
      this.onWarning(`journal: torn tail: ${describeRegion(torn)}; truncating ${torn.length} bytes`);
      if (torn.offset < SEGMENT_MAGIC.length) fs.writeFileSync(torn.file, SEGMENT_MAGIC);
      else fs.truncateSync(torn.file, torn.offset);
    }
    const records: JournalRecord[] = [];
    for (const s of ins.segments) for (const f of s.frames) records.push(f.record);
    this.sequence = records.length > 0 ? Number((records[records.length - 1] as JournalRecord).sequence) : 0;
    // Older segments are garbage once a snapshot supersedes them (deleted here in case a crash interrupted
    // the deletion after a compaction).
    for (const name of ins.superseded) fs.rmSync(path.join(this.dir, name), { force: true });
    report.records = records.length;
    report.lastSequence = this.sequence;
    const lastUsed = ins.segments[ins.segments.length - 1];
    this.segment = lastUsed ? Number(/\d{8}/.exec(lastUsed.segment)?.[0]) : 1;
    const active = path.join(this.dir, segmentName(this.segment));
    if (!lastUsed) fs.writeFileSync(active, SEGMENT_MAGIC);
    this.fd = fs.openSync(active, "a");
    if (!lastUsed) {
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
  /** Returns no records and a clean report: every open starts an empty history. */
  open(): { records: JournalRecord[]; report: ReplayReport } {
    return {
      records: [],
      report: { segments: [], records: 0, truncatedBytes: 0, truncationReason: "", lastSequence: 0 },
    };
  }
  /**
   * Counts the record and drops it; resolves at once. Nothing survives the process, so a restarted
   * coordinator starts its studies over.
   */
  append(_entry: JournalEntry): Promise<void> {
    this.count += 1;
    return Promise.resolve();
  }
  get recordsSinceCompaction(): number {
    return this.count;
  }
  /** Keeps nothing either; only resets the count of records since compaction to `entries.length`. */
  compact(entries: JournalEntry[]): Promise<void> {
    this.count = entries.length;
    return Promise.resolve();
  }
  /** Nothing to flush or release; resolves at once (appends after it still resolve). */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Reads every record of a journal directory without modifying it (for export and status tools). A torn
 * tail is left out and described in `problem`; corruption throws {@link JournalCorruptError} exactly as
 * opening would, and so does a path with no journal segments (code JOURNAL_NOT_FOUND).
 */
export function readJournal(dir: string): { records: JournalRecord[]; problem: string } {
  const ins = inspectJournal(dir);
  if (ins.segments.length === 0)
    throw new JournalCorruptError(`${dir}: no journal-*.log segments`, { code: "JOURNAL_NOT_FOUND" });
  const corrupt = corruptionError(ins);
  if (corrupt) throw corrupt;
  const records: JournalRecord[] = [];
  for (const s of ins.segments) for (const f of s.frames) records.push(f.record);
  const torn = ins.damage[0];
  return { records, problem: torn ? `${torn.segment}: torn tail: ${torn.reason}` : "" };
}
