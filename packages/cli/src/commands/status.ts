import { journalProgress, progressLine, queryStatus, readKeyPair, stopperSummary } from "@nadir/coordinator";
import { nadir } from "@nadir/protocol";
import type { Command } from "commander";
import { exitCodeFor } from "../errors.js";
import type { RegisterCommand } from "./index.js";

/** `nadir status`: progress of a running coordinator (--connect) or of a journal on disk (--journal). */
export const register: RegisterCommand = (program: Command, setExit) => {
  program
    .command("status")
    .description("Show study progress from a running coordinator or a journal directory")
    .option("--connect <endpoint>", "coordinator endpoint", "tcp://127.0.0.1:5555")
    .option("--journal <dir>", "read a journal directory instead of connecting")
    .option("--curve-keys <dir>", "CURVE: server.public and <name>.public/.secret in <dir>")
    .option("--key-name <name>", "this client's key pair name in --curve-keys", "client")
    .option("--timeout-ms <n>", "how long to wait for an answer", "3000")
    .option("--json", "print JSON")
    .action(
      async (o: {
        connect: string;
        journal?: string;
        curveKeys?: string;
        keyName: string;
        timeoutMs: string;
        json?: boolean;
      }) => {
        try {
          if (o.journal) {
            const { counts, problem } = journalProgress(o.journal);
            if (o.json) process.stdout.write(`${JSON.stringify({ studies: counts, problem }, null, 2)}\n`);
            else {
              process.stdout.write(`${progressLine(counts) || "no studies"}\n`);
              for (const c of counts)
                if (c.stopper) process.stdout.write(`${c.studyId}: ${c.stopper.message}\n`);
              if (problem) process.stdout.write(`journal tail: ${problem}\n`);
            }
            return setExit(0);
          }
          const curve = o.curveKeys
            ? {
                serverPublicKey: readKeyPair(o.curveKeys, "server").publicKey,
                ...readKeyPair(o.curveKeys, o.keyName),
              }
            : undefined;
          const r = await queryStatus(o.connect, {
            timeoutMs: Number(o.timeoutMs),
            ...(curve ? { curve } : {}),
          });
          if (o.json) {
            process.stdout.write(
              `${JSON.stringify(nadir.v1.StatusResponse.toObject(r, { enums: String, defaults: true }), null, 2)}\n`,
            );
          } else {
            for (const s of r.studies) {
              const best = s.bestValue === null || s.bestValue === undefined ? "-" : String(s.bestValue);
              process.stdout.write(
                `${s.studyId}: ${s.completed} completed, ${s.pruned} pruned, ${s.failed} failed, ${s.running} running, ${s.queued} queued, best ${best}\n`,
              );
              if (s.stopper) process.stdout.write(`  ${stopperSummary(s.stopper)}\n  ${s.stopper.message}\n`);
            }
            process.stdout.write(`${r.peers.length} peers; ${r.agent}, up ${r.uptimeSeconds.toFixed(0)} s\n`);
          }
          setExit(0);
        } catch (err) {
          process.stderr.write(`nadir status: ${(err as Error).message}\n`);
          setExit(exitCodeFor(err));
        }
      },
    );
};
