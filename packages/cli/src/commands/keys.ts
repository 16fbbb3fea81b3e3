import { authorizeKey, generateKeyPair } from "@nadir/coordinator";
import type { Command } from "commander";
import { exitCodeFor } from "../errors.js";
import type { RegisterCommand } from "./index.js";

/** `nadir keys`: CURVE key pairs and the coordinator's allow-list. */
export const register: RegisterCommand = (program: Command, setExit) => {
  const keys = program.command("keys").description("Generate CURVE keys and manage the allow-list");
  keys
    .command("gen")
    .description("Write <dir>/<name>.public and <dir>/<name>.secret (use --name server for the coordinator)")
    .requiredOption("--dir <dir>", "key directory")
    .option("--name <name>", "key pair name", "server")
    .option("--allow", "also add the public key to <dir>/authorized_keys")
    .action((o: { dir: string; name: string; allow?: boolean }) => {
      try {
        const r = generateKeyPair(o.dir, o.name);
        if (o.allow) authorizeKey(o.dir, r.publicKey);
        process.stdout.write(`${r.publicKey}\n`);
        setExit(0);
      } catch (err) {
        process.stderr.write(`nadir keys gen: ${(err as Error).message}\n`);
        setExit(exitCodeFor(err));
      }
    });
  keys
    .command("allow")
    .description("Add a worker's public key (Z85 string or .public file) to <dir>/authorized_keys")
    .requiredOption("--dir <dir>", "the coordinator's key directory")
    .argument("<key>", "Z85 public key or path to a .public file")
    .action((key: string, o: { dir: string }) => {
      try {
        process.stdout.write(`${authorizeKey(o.dir, key)}\n`);
        setExit(0);
      } catch (err) {
        process.stderr.write(`nadir keys allow: ${(err as Error).message}\n`);
        setExit(exitCodeFor(err));
      }
    });
};
