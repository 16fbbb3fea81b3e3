/**
 * The coordinator's journal: format and framing (format.ts), read-only inspection that tells a torn tail
 * from corruption (inspect.ts), the FileJournal store (file-journal.ts) and salvage (salvage.ts).
 */
export * from "./errors.js";
export * from "./file-journal.js";
export * from "./format.js";
export * from "./inspect.js";
export * from "./salvage.js";
