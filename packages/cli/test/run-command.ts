// One `nadir` command registered on a fresh commander program exactly as main() does, with stdout, stderr
// and the exit code captured: the shared harness of the command tests.
import { Command } from "commander";
import { vi } from "vitest";
import type { RegisterCommand } from "../src/commands/index.js";

/** What a command printed and the exit code it set. */
export interface CommandResult {
  code: number;
  out: string;
  err: string;
}

/**
 * Runs `nadir <command> ...args` through `register`. A commander parse error (unknown option, missing
 * argument; thrown because of exitOverride) is exit 2 with its text on stderr, like main(); `rethrow`
 * lets it propagate instead.
 */
export async function runCommand(
  register: RegisterCommand,
  command: string,
  args: readonly string[],
  opts: { rethrow?: boolean } = {},
): Promise<CommandResult> {
  let code = 0;
  const program = new Command("nadir").exitOverride();
  register(program, (c) => {
    code = c;
  });
  const out: string[] = [];
  const errs: string[] = [];
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s) => {
    out.push(String(s));
    return true;
  });
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s) => {
    errs.push(String(s));
    return true;
  });
  try {
    await program.parseAsync(["node", "nadir", command, ...args]);
  } catch (x) {
    if (opts.rethrow) throw x;
    code = 2;
    errs.push(String(x));
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  return { code, out: out.join(""), err: errs.join("") };
}
