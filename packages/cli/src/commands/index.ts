import type { Command } from "commander";
import { register as analyzeCommand } from "./analyze.js";
import { register as exportCommand } from "./export.js";
import { register as importCommand } from "./import.js";
import { register as initCommand } from "./init.js";
import { register as journalCommand } from "./journal.js";
import { register as keysCommand } from "./keys.js";
import { register as listsCommand } from "./lists.js";
import { register as reportCommand } from "./report.js";
import { register as runCommand } from "./run.js";
import { register as sampleCommand } from "./sample.js";
import { register as serveCommand } from "./serve.js";
import { register as statusCommand } from "./status.js";
import { register as steplawCommand } from "./steplaw.js";
import { register as validateCommand } from "./validate.js";

/**
 * A command module adds its subcommand to the program. `setExit` records the process exit code
 * (0 ok, 1 input found invalid, 2 usage or internal error) so that commands stay testable.
 */
export type RegisterCommand = (program: Command, setExit: (code: number) => void) => void;

// One line per command module; keep this list sorted.
export const commands: RegisterCommand[] = [
  analyzeCommand,
  exportCommand,
  importCommand,
  initCommand,
  journalCommand,
  keysCommand,
  listsCommand,
  reportCommand,
  runCommand,
  sampleCommand,
  serveCommand,
  statusCommand,
  steplawCommand,
  validateCommand,
];
