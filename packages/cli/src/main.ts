import { Command, CommanderError } from "commander";
import { commands } from "./commands/index.js";

/** Exit codes: 0 success, 1 the input was checked and found wrong, 2 usage or internal error. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command("nadir")
    .description("Hyperparameter tuning on a tiny budget, honest and cheap.")
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
    if (err instanceof CommanderError) {
      return err.code === "commander.helpDisplayed" || err.code === "commander.version" ? 0 : 2;
    }
    throw err;
  }
  return code;
}
