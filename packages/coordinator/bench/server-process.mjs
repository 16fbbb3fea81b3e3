/**
 * A benchmark server in its own process (forked by harness.mjs), so that neither the load nor the other
 * server shares its event loop or its heap. argv[2] is a JSON config:
 *
 *   {kind: "coordinator", fsync, maxTrials, parallelism, studyId}: the real Coordinator (public API only:
 *     `new Coordinator({...}).start()`) on a FileJournal in a fresh temp dir, one float parameter,
 *     default suggester, default compaction, rate limit far above the load;
 *   {kind: "echo", studyId}: the raw baseline, a bare zeromq ROUTER that answers every message with one
 *     pre-encoded Ack envelope of the coordinator's Ack size (no decoding, no state, no disk);
 *   {kind: "reference", maxTrials, studyId}: a flat stand-in for the coordinator (see startReference).
 *
 * IPC requests (each answered with {id, ...}):
 *   memory  gc() twice (run with --expose-gc), then process.memoryUsage();
 *   usage   CPU seconds and event-loop utilization since the previous `usage`;
 *   profile-start / profile-stop {file}   V8 CPU profile of just that stretch (inspector Profiler,
 *           1 ms sampling), written to `file` as a .cpuprofile;
 *   stop    stops the server; the coordinator's journal is then read back from disk (CRC-checked, its
 *           own offline replay) and the completed trials and reports it holds are returned; the process
 *           exits unless `keep`;
 *   start {config}   starts a new server (same kinds as argv[2]) in this process after a `stop` with keep.
 */
import * as fs from "node:fs";
import { Session } from "node:inspector/promises";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { nadir, PROTOCOL_MAJOR, PROTOCOL_MINOR } from "@nadir/protocol";
import { decodeFrames, encodeEnvelope, PROTOCOL_TAG_BYTES } from "@nadir/protocol/framing";
import * as zmq from "zeromq";
import * as lib from "../dist/index.js";

const { Coordinator, FileJournal, studyFromJson } = lib;

const v1 = nadir.v1;
const cfg = JSON.parse(process.argv[2]);

async function startCoordinator(conf) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nadir-bench-"));
  const log = [];
  const study = studyFromJson({
    studyId: conf.studyId,
    objective: { metric: "loss", direction: "DIRECTION_MINIMIZE" },
    budget: { maxTrials: conf.maxTrials, parallelism: conf.parallelism },
    stepBudget: 1_000_000_000,
    searchSpace: { parameters: [{ name: "x", floatDomain: { min: 0, max: 1 } }] },
  });
  const c = new Coordinator({
    bind: ["tcp://127.0.0.1:0"],
    store: new FileJournal(dir, { fsync: conf.fsync }),
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
        // A compaction leaves a snapshot record in place of the records it folded.
        out.journalSnapshots = records.filter((r) => r.snapshot).length;
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

async function startEcho(c) {
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
          trial: { studyId: c.studyId, trialId: 1, attempt: 1 },
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

/**
 * The flat reference for flat-cost.bench.mjs's control run: speaks just enough of the protocol for its
 * load (Hello -> Welcome, up to `capacity` TrialAssignments per worker, TrialCompleted -> Ack ACCEPTED and
 * the next assignment) with O(1) work per message and no journal. Its cost cannot grow with the study, so
 * its large/small ratio shows what the harness alone (pauses, sampling, machine noise) does to the ratio.
 */
async function startReference(c) {
  const router = new zmq.Router({ linger: 0, sendHighWaterMark: 100_000, receiveHighWaterMark: 100_000 });
  await router.bind("tcp://127.0.0.1:*");
  const tag = Buffer.from(PROTOCOL_TAG_BYTES);
  const sessionId = crypto.randomUUID();
  let nextTrial = 1;
  const running = new Map(); // trialId -> routing id
  const completed = new Set();
  const send = (id, body, correlationId) =>
    router.send([
      id,
      tag,
      Buffer.from(
        encodeEnvelope(
          {
            versionMajor: PROTOCOL_MAJOR,
            versionMinor: PROTOCOL_MINOR,
            messageId: crypto.randomUUID(),
            ...(correlationId ? { correlationId } : {}),
            sentUnixMs: Date.now(),
            senderId: "reference",
            ...body,
          },
          { verify: false },
        ),
      ),
    ]);
  const assign = async (id) => {
    if (nextTrial > c.maxTrials) return;
    const trialId = nextTrial++;
    running.set(trialId, id);
    const now = Date.now();
    await send(id, {
      trialAssignment: {
        trial: { studyId: c.studyId, trialId, attempt: 1 },
        parameters: { x: { floatValue: (trialId * 0.618033988749895) % 1 } },
        stepBudget: 1_000_000_000,
        seed: trialId,
        lease: {
          leaseId: crypto.randomUUID(),
          expiresUnixMs: now + 10_000,
          heartbeatIntervalMs: 1000,
          timeoutMs: 10_000,
        },
        objective: { metric: "loss", direction: v1.Direction.DIRECTION_MINIMIZE },
        suggester: "halton",
      },
    });
  };
  const loop = (async () => {
    try {
      for await (const frames of router) {
        const { identity: id, envelope: env } = decodeFrames(frames, { identity: true });
        if (env.body === "hello") {
          await send(
            id,
            {
              welcome: {
                peerId: env.hello.peerId,
                sessionId,
                negotiatedMinor: PROTOCOL_MINOR,
                heartbeatIntervalMs: 1000,
                peerTimeoutMs: 10_000,
                maxFrameBytes: 1 << 20,
                agent: "nadir-bench-reference/0.1.0",
              },
            },
            env.messageId,
          );
          if (env.hello.role === v1.PeerRole.PEER_ROLE_WORKER)
            for (let i = 0; i < (env.hello.worker?.capacity ?? 1); i++) await assign(id);
        } else if (env.body === "trialCompleted") {
          const ref = env.trialCompleted.trial;
          running.delete(ref.trialId);
          completed.add(ref.trialId);
          await send(id, { ack: { status: v1.AckStatus.ACK_STATUS_ACCEPTED, trial: ref } }, env.messageId);
          await assign(id);
        }
      }
    } catch {
      /* closed */
    }
  })();
  return {
    endpoint: router.lastEndpoint,
    stop: async () => {
      router.close();
      await loop;
      return {
        journalCompleted: completed.size,
        compactions: 0,
        journalProblem: "no journal (reference server)",
      };
    },
  };
}

const startKind = (c) =>
  c.kind === "coordinator" ? startCoordinator(c) : c.kind === "reference" ? startReference(c) : startEcho(c);
let server = await startKind(cfg);
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
    server = undefined;
    // `keep`: stay up for the next `start` (a warm process: its JIT-compiled code carries over).
    if (m.keep) process.send({ id: m.id, ...out });
    else process.send({ id: m.id, ...out }, () => process.exit(0));
  } else if (m.type === "start") {
    server = await startKind(m.config);
    process.send({ id: m.id, endpoint: server.endpoint });
  }
});
process.send({ type: "ready", endpoint: server.endpoint, pid: process.pid });
