import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { commands } from "./commands/index.js";
import { exitCodeFor } from "./errors.js";

/** The version of this package (read from its package.json, which ships next to dist/). */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

/**
 * Runs the CLI on `argv` (node, script, args...) and resolves to the exit code; exit codes are decided in
 * one place, `exitCodeFor` of errors.ts (0 success, 1 input found invalid or unusable, 2 usage, 130
 * interrupted).
 */
export async function main(argv: string[]): Promise<number> {
  const program = new Command("nadir")
    .description("Hyperparameter tuning on a tiny budget, honest and cheap.")
    .version(cliVersion(), "-V, --version", "print the version of @nadir/cli")
    .exitOverride()
    .showHelpAfterError();
  let code = 0;
  for (const register of commands) {
    register(program, (c) => {
      code = c;
    });
  }
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) return exitCodeFor(err);
    throw err;
  }
  return code;
}
