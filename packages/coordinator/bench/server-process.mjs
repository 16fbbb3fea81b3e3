/**
 * A benchmark server in its own process (forked by harness.mjs), so that neither the load nor the other
 * server shares its event loop or its heap. argv[2] is a JSON config:
 *
 *   {kind: "coordinator", fsync, maxTrials, parallelism, studyId}: the real Coordinator (public API only:
 *     `new Coordinator({...}).start()`) on a FileJournal in a fresh temp dir, one float parameter,
 *     default suggester, default compaction, rate limit far above the load;
 *   {kind: "echo", studyId}: the raw baseline, a bare zeromq ROUTER that answers every message with one
 *     pre-encoded Ack envelope of the coordinator's Ack size (no decoding, no state, no disk).
 *
 * IPC requests (each answered with {id, ...}):
 *   memory  gc() twice (run with --expose-gc), then process.memoryUsage();
 *   usage   CPU seconds and event-loop utilization since the previous `usage`;
 *   profile-start / profile-stop {file}   V8 CPU profile of just that stretch (inspector Profiler,
 *           1 ms sampling), written to `file` as a .cpuprofile;
 *   stop    stops the server; the coordinator's journal is then read back from disk (CRC-checked, its
 *           own offline replay) and the completed trials and reports it holds are returned.
 */
import * as fs from "node:fs";
import { Session } from "node:inspector/promises";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { encodeEnvelope, nadir, PROTOCOL_MAJOR, PROTOCOL_MINOR, PROTOCOL_TAG_BYTES } from "@nadir/protocol";
import * as zmq from "zeromq";
import * as lib from "../dist/index.js";

const { Coordinator, FileJournal, studyFromJson } = lib;

const v1 = nadir.v1;
const cfg = JSON.parse(process.argv[2]);

async function startCoordinator() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nadir-bench-"));
  const log = [];
  const study = studyFromJson({
    studyId: cfg.studyId,
    objective: { metric: "loss", direction: "DIRECTION_MINIMIZE" },
    budget: { maxTrials: cfg.maxTrials, parallelism: cfg.parallelism },
    stepBudget: 1_000_000_000,
    searchSpace: { parameters: [{ name: "x", floatDomain: { min: 0, max: 1 } }] },
  });
  const c = new Coordinator({
    bind: ["tcp://127.0.0.1:0"],
    store: new FileJournal(dir, { fsync: cfg.fsync }),
    studies: [study],
    // The per-peer token bucket stays on (its bookkeeping is part of the hot path) but far above the load:
    // it is a policy against floods, not a throughput cost to measure.
    rateLimitPerSecond: 1e9,
    log: (line) => {
      if (log.length < 1000) log.push(line);
    },
  });
  const { endpoints } = await c.start();
  return {
    endpoint: endpoints[0],
    stop: async () => {
      await c.stop();
      const out = { compactions: log.filter((l) => l.includes("compact")).length, logTail: log.slice(-5) };
      try {
        // The read-back check needs readJournal and journalProgress; a build without them skips it.
        if (typeof lib.readJournal !== "function" || typeof lib.journalProgress !== "function")
          throw new Error("readJournal / journalProgress are not exported: journal check skipped");
        const { records, problem } = lib.readJournal(dir);
        out.journalRecords = records.length;
        out.journalReports = records.filter((r) => r.trialReport).length;
        out.journalBytes = fs.readdirSync(dir).reduce((a, n) => a + fs.statSync(path.join(dir, n)).size, 0);
        const { counts } = lib.journalProgress(dir);
        out.journalCompleted = counts.reduce((a, x) => a + x.completed, 0);
        out.journalProblem = problem;
      } catch (err) {
        out.journalError = String(err?.message ?? err);
      }
      fs.rmSync(dir, { recursive: true, force: true });
      return out;
    },
  };
}

async function startEcho() {
  const router = new zmq.Router({ linger: 0, sendHighWaterMark: 100_000, receiveHighWaterMark: 100_000 });
  await router.bind("tcp://127.0.0.1:*");
  // The same bytes the coordinator's Ack carries (36-character ids, a trial ref, a lease deadline).
  const ack = Buffer.from(
    encodeEnvelope(
      {
        versionMajor: PROTOCOL_MAJOR,
        versionMinor: PROTOCOL_MINOR,
        messageId: crypto.randomUUID(),
        correlationId: crypto.randomUUID(),
        sentUnixMs: Date.now(),
        senderId: "coordinator",
        ack: {
          status: v1.AckStatus.ACK_STATUS_ACCEPTED,
          trial: { studyId: cfg.studyId, trialId: 1, attempt: 1 },
          leaseExpiresUnixMs: Date.now() + 10_000,
        },
      },
      { verify: false },
    ),
  );
  const tag = Buffer.from(PROTOCOL_TAG_BYTES);
  const loop = (async () => {
    try {
      for await (const [id] of router) await router.send([id, tag, ack]);
    } catch {
      /* closed */
    }
  })();
  return {
    endpoint: router.lastEndpoint,
    stop: async () => {
      router.close();
      await loop;
      return {};
    },
  };
}

const server = cfg.kind === "coordinator" ? await startCoordinator() : await startEcho();
let inspector;
let elu0 = performance.eventLoopUtilization();
let cpu0 = process.cpuUsage();
let t0 = performance.now();

process.on("message", async (m) => {
  if (m.type === "memory") {
    globalThis.gc?.();
    globalThis.gc?.();
    const u = process.memoryUsage();
    process.send({ id: m.id, rss: u.rss, heapUsed: u.heapUsed, external: u.external, gc: !!globalThis.gc });
  } else if (m.type === "usage") {
    const cpu = process.cpuUsage(cpu0);
    const seconds = (performance.now() - t0) / 1000;
    const elu = performance.eventLoopUtilization(elu0).utilization;
    elu0 = performance.eventLoopUtilization();
    cpu0 = process.cpuUsage();
    t0 = performance.now();
    process.send({ id: m.id, seconds, cpuCores: (cpu.user + cpu.system) / 1e6 / seconds, elu });
  } else if (m.type === "profile-start") {
    inspector = new Session();
    inspector.connect();
    await inspector.post("Profiler.enable");
    await inspector.post("Profiler.setSamplingInterval", { interval: 1000 });
    await inspector.post("Profiler.start");
    process.send({ id: m.id });
  } else if (m.type === "profile-stop") {
    const { profile } = await inspector.post("Profiler.stop");
    inspector.disconnect();
    fs.writeFileSync(m.file, JSON.stringify(profile));
    process.send({ id: m.id, file: m.file });
  } else if (m.type === "stop") {
    const out = await server.stop();
    process.send({ id: m.id, ...out }, () => process.exit(0));
  }
});
process.send({ type: "ready", endpoint: server.endpoint, pid: process.pid });
