/**
 * The coordinator's journal (see journal/index.ts). This module path stays the import point for the
 * coordinator and the tools.
 */
export * from "./journal/index.js";
