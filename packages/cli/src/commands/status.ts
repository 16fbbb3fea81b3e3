import {
  loadJournalStudies,
  progressLine,
  queryStatus,
  readKeyPair,
  StatusQueryError,
  type StudyCounts,
} from "@nadir/coordinator";
import { nadir } from "@nadir/protocol";
import type { Command } from "commander";
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
            const { studies, problem } = loadJournalStudies(o.journal);
            const counts: StudyCounts[] = [...studies.values()].map(({ spec, trials }) => {
              const c: StudyCounts = {
                studyId: spec.studyId,
                queued: 0,
                running: 0,
                completed: 0,
                pruned: 0,
                failed: 0,
                diverged: 0,
                infeasible: 0,
                abandoned: 0,
                created: trials.length,
                maxTrials: spec.budget?.maxTrials ?? 0,
                best: undefined,
                done: false,
              };
              const S = nadir.v1.TrialState;
              for (const t of trials) {
                const s = t.state;
                if (s === S.TRIAL_STATE_QUEUED || s === S.TRIAL_STATE_PREEMPTED) c.queued++;
                else if (s === S.TRIAL_STATE_RUNNING || s === S.TRIAL_STATE_STOPPING) c.running++;
                else if (s === S.TRIAL_STATE_COMPLETED) c.completed++;
                else if (s === S.TRIAL_STATE_PRUNED) c.pruned++;
                else if (s === S.TRIAL_STATE_FAILED) c.failed++;
                else if (s === S.TRIAL_STATE_DIVERGED) c.diverged++;
                else if (s === S.TRIAL_STATE_INFEASIBLE) c.infeasible++;
                else if (s === S.TRIAL_STATE_ABANDONED) c.abandoned++;
                const v = t.final?.metrics?.[spec.objective?.metric ?? ""];
                if (s === S.TRIAL_STATE_COMPLETED && v !== undefined && v !== null && !Number.isNaN(v)) {
                  const better =
                    c.best === undefined ||
                    (spec.objective?.direction === nadir.v1.Direction.DIRECTION_MAXIMIZE
                      ? v > c.best
                      : v < c.best);
                  if (better) c.best = v;
                }
              }
              return c;
            });
            if (o.json) process.stdout.write(`${JSON.stringify({ studies: counts, problem }, null, 2)}\n`);
            else {
              process.stdout.write(`${progressLine(counts) || "no studies"}\n`);
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
            }
            process.stdout.write(`${r.peers.length} peers; ${r.agent}, up ${r.uptimeSeconds.toFixed(0)} s\n`);
          }
          setExit(0);
        } catch (err) {
          process.stderr.write(`nadir status: ${(err as Error).message}\n`);
          setExit(err instanceof StatusQueryError ? 1 : 2);
        }
      },
    );
};
