import { type FsyncPolicy, progressLine, startServe, stoppedSentence } from "@nadir/coordinator";
import type { Command } from "commander";
import { exitCodeFor, usage } from "../errors.js";
import { confidenceFlag, finiteFlag } from "../flag-values.js";
import { addStopperOptions, type StopperFlags, stopperFromFlags } from "../stopper-flags.js";
import type { RegisterCommand } from "./index.js";

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

function int(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
    return n;
  };
}

/** `nadir serve`: run a coordinator for one or more studies (see packages/coordinator/README.md). */
export const register: RegisterCommand = (program: Command, setExit) => {
  const serve = program
    .command("serve")
    .description("Serve studies to workers over ZeroMQ (prints 'nadir: serving <endpoint>' on stdout)")
    .requiredOption("--study <file>", "study JSON file (repeatable)", collect, [])
    .option(
      "--bind <endpoint>",
      "ROUTER endpoint, tcp:// or ipc:// (repeatable; port 0 = any free port)",
      collect,
      [],
    )
    .option("--journal <dir>", "journal directory (created if missing; without it nothing is persisted)")
    .option("--fsync <policy>", "always | interval | never", "always")
    .option("--curve-keys <dir>", "enable CURVE: server.public/server.secret and authorized_keys in <dir>")
    .option("--events <endpoint>", "PUB endpoint for trial events")
    .option("--heartbeat-ms <n>", "heartbeat interval told to peers", int("--heartbeat-ms"))
    .option(
      "--peer-timeout-ms <n>",
      "silence after which a worker's attempts are preempted",
      int("--peer-timeout-ms"),
    )
    .option(
      "--reattach-grace-ms <n>",
      "after a restart, how long running attempts wait for their worker",
      int("--reattach-grace-ms"),
    )
    .option("--max-frame-bytes <n>", "largest accepted frame", int("--max-frame-bytes"))
    .option("--rate-limit <n>", "messages per second per peer (0 = unlimited)", int("--rate-limit"))
    .option(
      "--exit-when-done",
      "exit 0 once every study's budget is finished (workers are told to shut down)",
    )
    .option("--quiet", "no progress line")
    .option("--confidence <c>", "study stopper: confidence of its promise", "0.8")
    .option(
      "--threshold <T>",
      "study stopper: asymptotic-regime threshold of its tail fit (default: the lower median of the search trials)",
    );
  addStopperOptions(serve).action(async (o: Record<string, unknown> & StopperFlags) => {
    const fsync = o.fsync as string;
    if (!["always", "interval", "never"].includes(fsync)) {
      process.stderr.write(`nadir serve: --fsync must be always, interval or never\n`);
      return setExit(2);
    }
    let studyStopper: ReturnType<typeof stopperFromFlags>;
    try {
      studyStopper = stopperFromFlags(o, {
        confidence: confidenceFlag("--confidence", o.confidence as string),
        threshold: finiteFlag("--threshold", o.threshold as string | undefined),
      });
      if (!studyStopper)
        for (const [flag, key] of [
          ["--confidence", "confidence"],
          ["--threshold", "threshold"],
        ] as const)
          if (serve.getOptionValueSource(key) === "cli")
            throw usage(`${flag} goes with --gain (it sets the study stopper's promise)`, flag);
    } catch (err) {
      process.stderr.write(`nadir serve: ${(err as Error).message}\n`);
      return setExit(exitCodeFor(err));
    }
    const log = (line: string): void => {
      process.stderr.write(`${line}\n`);
    };
    let handle: Awaited<ReturnType<typeof startServe>>;
    try {
      handle = await startServe({
        studyFiles: o.study as string[],
        ...(studyStopper ? { studyStopper } : {}),
        bind: (o.bind as string[]).length > 0 ? (o.bind as string[]) : ["tcp://127.0.0.1:5555"],
        fsync: fsync as FsyncPolicy,
        log,
        ...(o.journal ? { journal: o.journal as string } : {}),
        ...(o.curveKeys ? { curveKeysDir: o.curveKeys as string } : {}),
        ...(o.events ? { eventsBind: o.events as string } : {}),
        ...(o.heartbeatMs !== undefined ? { heartbeatIntervalMs: o.heartbeatMs as number } : {}),
        ...(o.peerTimeoutMs !== undefined ? { peerTimeoutMs: o.peerTimeoutMs as number } : {}),
        ...(o.reattachGraceMs !== undefined ? { reattachGraceMs: o.reattachGraceMs as number } : {}),
        ...(o.maxFrameBytes !== undefined ? { maxFrameBytes: o.maxFrameBytes as number } : {}),
        ...(o.rateLimit !== undefined ? { rateLimitPerSecond: o.rateLimit as number } : {}),
      });
    } catch (err) {
      process.stderr.write(`nadir serve: ${(err as Error).message}\n`);
      return setExit(exitCodeFor(err));
    }
    if (!o.journal) log("nadir serve: no --journal given; results are not persisted");
    for (const ep of handle.endpoints) process.stdout.write(`nadir: serving ${ep}\n`);
    if (handle.eventsEndpoint) process.stdout.write(`nadir: events ${handle.eventsEndpoint}\n`);
    let last = "";
    const tty = process.stderr.isTTY;
    const progress = o.quiet
      ? undefined
      : setInterval(() => {
          const line = progressLine(handle.coordinator.progress());
          if (tty) process.stderr.write(`\r\x1b[2K${line}`);
          else if (line !== last) process.stderr.write(`${line}\n`);
          last = line;
        }, 1000);
    const finished = await new Promise<"signal" | "done">((resolve) => {
      const onSignal = (): void => resolve("signal");
      process.once("SIGTERM", onSignal);
      process.once("SIGINT", onSignal);
      if (o.exitWhenDone) void handle.done.then(() => resolve("done"));
    });
    if (progress) clearInterval(progress);
    if (tty && !o.quiet) process.stderr.write("\n");
    process.stderr.write(`${progressLine(handle.coordinator.progress())}\n`);
    // A study its stopper ended: the reason, in the words `nadir run` uses (stdout, one line each).
    for (const c of handle.coordinator.progress()) {
      const stopped = stoppedSentence(c);
      if (stopped) process.stdout.write(`nadir: ${c.studyId} ${stopped}\n`);
    }
    await handle.stop({ shutdownWorkers: finished === "done" });
    process.stdout.write(finished === "done" ? "nadir: done\n" : "nadir: stopped\n");
    setExit(0);
  });
};
