/**
 * The coordinator's journal: format and framing (format.ts), read-only inspection that tells a torn tail
 * from corruption (inspect.ts), the FileJournal store (file-journal.ts) and salvage (salvage.ts). Only
 * the public surface is re-exported here; framing helpers stay inside the folder.
 */
export * from "./errors.js";
export * from "./file-journal.js";
export {
  encodeRecord,
  type Frame,
  type JournalEntry,
  type JournalRecord,
  MAX_RECORD_BYTES,
  RECORD_HEADER_BYTES,
  SEGMENT_MAGIC,
  type SegmentScan,
  scanSegment,
} from "./format.js";
export {
  type DamagedRegion,
  type DamageKind,
  describeRegion,
  type InspectedSegment,
  inspectJournal,
  type JournalInspection,
  type VerifiedSegment,
  type VerifyReport,
  verifyJournal,
} from "./inspect.js";
export * from "./salvage.js";
