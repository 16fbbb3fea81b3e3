/**
 * Peer ids are bound to CURVE keys. A real `nadir serve` with CURVE, a real honest worker process, and a
 * second *allowed* key (an insider) that tries to take the honest worker's peer id over, submit results
 * for its attempt and send histograms for it: every attempt is refused or answered UNAUTHORIZED and
 * nothing reaches the journal. After the honest worker's process is SIGKILLed mid-trial, the insider is
 * still refused, and the honest key, from a new connection, re-attaches the running attempt and finishes
 * it; every result in the journal is the honest worker's.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { helloKeyProof, nadir } from "@nadir/protocol";
import { decodeFrames, type Envelope, encodeEnvelope, PROTOCOL_TAG_BYTES } from "@nadir/protocol/framing";
import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { readJournal } from "../src/journal.js";
import {
  cliBin,
  killAll,
  spawnProc,
  startServe,
  startWorker,
  summarize,
  tmpDir,
  until,
  writeStudy,
} from "./helpers.js";

const v1 = nadir.v1;
const sockets: zmq.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await killAll();
});

/** A raw DEALER client holding one CURVE key pair, with a reply inbox. */
class Client {
  readonly sock: zmq.Dealer;
  private readonly inbox: Envelope[] = [];
  private waiters: (() => void)[] = [];
  constructor(
    endpoint: string,
    readonly server: string,
    readonly pub: string,
    readonly sec: string,
  ) {
    this.sock = new zmq.Dealer({
      linger: 0,
      sendTimeout: 5000,
      curveServerKey: server,
      curvePublicKey: pub,
      curveSecretKey: sec,
    });
    this.sock.connect(endpoint);
    sockets.push(this.sock);
    void (async () => {
      try {
        for await (const frames of this.sock) {
          this.inbox.push(decodeFrames(frames).envelope);
          for (const w of this.waiters.splice(0)) w();
        }
      } catch {
        /* closed */
      }
    })();
  }

  async send(body: Record<string, unknown>): Promise<string> {
    const messageId = `m${Math.random()}`;
    await this.sock.send([
      PROTOCOL_TAG_BYTES,
      encodeEnvelope({
        versionMajor: 1,
        versionMinor: 0,
        messageId,
        sentUnixMs: Date.now(),
        ...body,
      } as never),
    ]);
    return messageId;
  }

  /** Hello as a worker; `workloads` ["none"] keeps the scheduler from giving it trials. */
  hello(
    peerId: string,
    running: nadir.v1.TrialRef.$Properties[] = [],
    workloads: string[] = [],
  ): Promise<string> {
    return this.send({
      hello: {
        peerId,
        role: v1.PeerRole.PEER_ROLE_WORKER,
        worker: { capacity: 1, running, workloads },
        publicKey: this.pub,
        keyProof: helloKeyProof(this.sec, this.server, peerId),
      },
    });
  }

  /** The first received message with body `kind`, waiting up to 10 s. */
  async first(kind: string): Promise<Envelope> {
    const end = Date.now() + 10_000;
    for (;;) {
      const e = this.inbox.find((x) => x.body === kind);
      if (e) return e;
      if (Date.now() > end) throw new Error(`no ${kind}; got ${this.inbox.map((x) => x.body).join(", ")}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }

  /** The reply to message `id` (by correlation id), waiting up to 10 s. */
  async reply(id: string): Promise<Envelope> {
    const end = Date.now() + 10_000;
    for (;;) {
      const e = this.inbox.find((x) => x.correlationId === id);
      if (e) return e;
      if (Date.now() > end)
        throw new Error(`no reply to ${id}; got ${this.inbox.map((x) => x.body).join(", ")}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }
}

describe("peer identity under CURVE", () => {
  it("an insider's key cannot take over a worker's peer id or its attempts; the worker's own key re-attaches after a SIGKILL", async () => {
    const dir = tmpDir();
    const keys = path.join(dir, "keys");
    const gen = async (args: string[]) => {
      const p = spawnProc([cliBin, "keys", "gen", "--dir", keys, ...args]);
      expect(await p.exited).toBe(0);
      return p.out().trim();
    };
    const server = await gen(["--name", "server"]);
    const honestPub = await gen(["--name", "honest", "--allow"]);
    const insiderPub = await gen(["--name", "insider", "--allow"]);
    const read = (n: string) => fs.readFileSync(path.join(keys, n), "utf8").trim();
    const study = writeStudy(dir, "ident", 4, 60, { workload: "synthetic" });
    const journal = path.join(dir, "journal");
    const serve = await startServe([
      "--study",
      study,
      "--bind",
      "tcp://127.0.0.1:0",
      "--journal",
      journal,
      "--curve-keys",
      keys,
      "--exit-when-done",
      "--heartbeat-ms",
      "100",
      "--peer-timeout-ms",
      "6000",
    ]);
    const honestCurve = { server, pub: honestPub, sec: read("honest.secret") };
    const honest = startWorker(serve.endpoint, "honest", { stepMs: 25, curve: honestCurve });
    await honest.waitFor(/welcomed/);
    // The honest worker holds an attempt and has reported on it.
    let held: nadir.v1.TrialRef.$Properties = {};
    await until(
      () => {
        const s = summarize(journal, "ident");
        const a = s.assigned.find((x) => x.workerId === "honest" && !s.completed.has(x.trialId));
        if (a && s.reports > 0) held = { studyId: "ident", trialId: a.trialId, attempt: a.attempt };
        return held.trialId !== undefined;
      },
      15_000,
      "the honest worker to hold an attempt",
    );

    // 1. The insider says Hello with the honest worker's id (proving its own, allowed key): refused.
    const insider = new Client(serve.endpoint, server, insiderPub, read("insider.secret"));
    const r1 = await insider.reply(await insider.hello("honest", [held]));
    expect(r1.body).toBe("refused");
    expect(r1.refused?.reason).toBe(v1.RefusalReason.REFUSAL_REASON_DUPLICATE_PEER_ID);
    // Without a Welcome it cannot submit anything.
    const fake = { trial: held, final: { step: 60, metrics: { loss: -1e9 } } };
    const r2 = await insider.reply(await insider.send({ trialCompleted: fake }));
    expect(r2.error?.code).toBe(v1.ErrorCode.ERROR_CODE_NOT_WELCOMED);
    // Welcomed under its own id, it still cannot report, finish or send histograms for another's attempt.
    expect((await insider.reply(await insider.hello("insider", [], ["none"]))).body).toBe("welcome");
    for (const body of [
      { trialCompleted: fake },
      { trialReport: { trial: held, measurement: { step: 5, metrics: { loss: -1e9 } }, sequence: 999 } },
      { trialStopped: { trial: held, reason: v1.StopReason.STOP_REASON_CANCELLED } },
      { gradientHistogram: { trial: held, step: 5 } },
    ]) {
      const r = await insider.reply(await insider.send(body));
      expect(r.error?.code, JSON.stringify(Object.keys(body))).toBe(v1.ErrorCode.ERROR_CODE_UNAUTHORIZED);
    }
    // It does not see the honest worker's id in a status answer (workers see only themselves).
    const st = await insider.reply(await insider.send({ statusRequest: { studyIds: [] } }));
    expect(st.statusResponse?.peers.map((p) => p.peerId)).toEqual(["insider"]);

    // 2. SIGKILL the honest worker mid-trial: its connection is dead, the id still bound to its key.
    const s0 = summarize(journal, "ident");
    const current = s0.assigned.filter((x) => x.workerId === "honest" && !s0.completed.has(x.trialId)).at(-1);
    if (!current) throw new Error("the honest worker holds no attempt to kill it in");
    held = { studyId: "ident", trialId: current.trialId, attempt: current.attempt };
    honest.child.kill("SIGKILL");
    await honest.exited;
    const insider2 = new Client(serve.endpoint, server, insiderPub, read("insider.secret"));
    const r3 = await insider2.reply(await insider2.hello("honest", [held]));
    expect(r3.refused?.reason).toBe(v1.RefusalReason.REFUSAL_REASON_DUPLICATE_PEER_ID);

    // 3. The honest key from a new connection re-attaches the running attempt and finishes it.
    const back = new Client(serve.endpoint, server, honestPub, read("honest.secret"));
    const w = await back.reply(await back.hello("honest", [held]));
    expect(w.body).toBe("welcome");
    expect(w.welcome?.reattached).toEqual([held]);
    const done = await back.reply(
      await back.send({ trialCompleted: { trial: held, final: { step: 60, metrics: { loss: 0.25 } } } }),
    );
    expect(done.ack?.status).toBe(v1.AckStatus.ACK_STATUS_ACCEPTED);
    back.sock.close();

    // 4. A restarted honest worker (same key and id) finishes the study.
    const again = startWorker(serve.endpoint, "honest", { stepMs: 2, curve: honestCurve });
    expect(await serve.exited).toBe(0);
    expect(await again.exited).toBe(0);
    const s = summarize(journal, "ident");
    expect([...s.completed.values()].flat().length).toBe(4);
    expect(s.completed.get(held.trialId ?? 0)).toEqual([held.attempt]);
    expect(s.finalLoss.get(held.trialId ?? 0)).toBe(0.25);
    for (const loss of s.finalLoss.values()) expect(loss).toBeGreaterThan(0);
    expect(new Set(s.assigned.map((a) => a.workerId))).toEqual(new Set(["honest"]));
    // Nothing the insider sent was journaled: no report with its sequence, no histogram.
    const { records } = readJournal(journal);
    expect(records.some((r) => r.trialReport?.sequence === 999)).toBe(false);
    expect(records.some((r) => r.gradientHistogram)).toBe(false);
  }, 120_000);

  it("after a coordinator SIGKILL and restart, the journal still says which key holds an attempt", async () => {
    const dir = tmpDir();
    const keys = path.join(dir, "keys");
    const gen = async (args: string[]) => {
      const p = spawnProc([cliBin, "keys", "gen", "--dir", keys, ...args]);
      expect(await p.exited).toBe(0);
      return p.out().trim();
    };
    const server = await gen(["--name", "server"]);
    const honestPub = await gen(["--name", "honest", "--allow"]);
    const insiderPub = await gen(["--name", "insider", "--allow"]);
    const read = (n: string) => fs.readFileSync(path.join(keys, n), "utf8").trim();
    const study = writeStudy(dir, "restart", 2, 1000);
    const journal = path.join(dir, "journal");
    const args = (bind: string) => [
      "--study",
      study,
      "--bind",
      bind,
      "--journal",
      journal,
      "--curve-keys",
      keys,
      "--heartbeat-ms",
      "100",
      "--peer-timeout-ms",
      "5000",
      "--reattach-grace-ms",
      "8000",
    ];
    const first = await startServe(args("tcp://127.0.0.1:0"));
    const honest = new Client(first.endpoint, server, honestPub, read("honest.secret"));
    expect((await honest.reply(await honest.hello("honest"))).body).toBe("welcome");
    const held = (await honest.first("trialAssignment")).trialAssignment
      ?.trial as nadir.v1.TrialRef.$Properties;
    await until(() => summarize(journal).assigned.length > 0, 10_000, "the assignment to be journaled");
    honest.sock.close();
    first.child.kill("SIGKILL");
    await first.exited;
    const { records } = readJournal(journal);
    expect(records.find((r) => r.attemptAssigned)?.attemptAssigned?.workerKey).toBe(honestPub);

    const second = await startServe(args(first.endpoint));
    const insider = new Client(second.endpoint, server, insiderPub, read("insider.secret"));
    const refused = await insider.reply(await insider.hello("honest", [held]));
    expect(refused.refused?.reason).toBe(v1.RefusalReason.REFUSAL_REASON_DUPLICATE_PEER_ID);
    const back = new Client(second.endpoint, server, honestPub, read("honest.secret"));
    const w = await back.reply(await back.hello("honest", [held]));
    expect(w.welcome?.reattached).toEqual([held]);
    second.child.kill("SIGTERM");
    await second.exited;
    // The insider's attempt did not preempt the honest worker's attempt.
    expect(summarize(journal).preempted).toEqual([]);
  }, 60_000);
});
