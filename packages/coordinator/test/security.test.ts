/**
 * Hostile input and CURVE authentication, with a real `nadir serve` process, a real honest worker process
 * and hostile ZeroMQ sockets opened by the test.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { nadir } from "@nadir/protocol";
import { decodeFrames, encodeEnvelope, PROTOCOL_TAG_BYTES } from "@nadir/protocol/framing";
import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import {
  cliBin,
  killAll,
  spawnProc,
  startServe,
  startWorker,
  summarize,
  tmpDir,
  writeStudy,
} from "./helpers.js";

const v1 = nadir.v1;
const sockets: zmq.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await killAll();
});

function dealer(endpoint: string, opts: Partial<zmq.SocketOptions<zmq.Dealer>> = {}): zmq.Dealer {
  const d = new zmq.Dealer({ linger: 0, sendTimeout: 10_000, reconnectInterval: 50, ...opts });
  d.connect(endpoint);
  sockets.push(d);
  return d;
}

function env(body: Record<string, unknown>, over: Record<string, unknown> = {}): Uint8Array {
  return encodeEnvelope(
    {
      versionMajor: 1,
      versionMinor: 0,
      messageId: `m${Math.random()}`,
      sentUnixMs: Date.now(),
      ...body,
      ...over,
    } as never,
    { verify: false, maxFrameBytes: 64 * 1024 * 1024 },
  );
}

/** Collects the error codes / refusals a socket receives until closed. */
function collect(sock: zmq.Dealer, into: Map<string, number>): Promise<void> {
  return (async () => {
    try {
      for await (const frames of sock) {
        try {
          const e = decodeFrames(frames).envelope;
          const k =
            e.body === "error"
              ? (v1.ErrorCode[e.error?.code ?? 0] as string).replace(/^ERROR_CODE_/, "")
              : e.body === "refused"
                ? `REFUSED:${v1.RefusalReason[e.refused?.reason ?? 0]}`
                : String(e.body);
          into.set(k, (into.get(k) ?? 0) + 1);
        } catch {
          into.set("UNDECODABLE_REPLY", (into.get("UNDECODABLE_REPLY") ?? 0) + 1);
        }
      }
    } catch {
      /* closed */
    }
  })();
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("hostile input", () => {
  it("10,000 malformed or hostile frames leave the coordinator serving a concurrent honest worker to completion", async () => {
    const dir = tmpDir();
    // ~1 s per trial, so the study outlasts the flood (the coordinator exits when the study is done).
    const study = writeStudy(dir, "honest", 10, 150);
    const journal = path.join(dir, "journal");
    const serve = await startServe([
      "--study",
      study,
      "--bind",
      "tcp://127.0.0.1:0",
      "--journal",
      journal,
      "--exit-when-done",
      "--heartbeat-ms",
      "100",
      "--peer-timeout-ms",
      "2000",
      "--max-frame-bytes",
      "65536",
    ]);
    const honest = startWorker(serve.endpoint, "honest", { stepMs: 5 });
    const t0 = Date.now();
    await honest.waitFor(/welcomed/);

    const codes = new Map<string, number>();
    const anon = dealer(serve.endpoint);
    const observer = dealer(serve.endpoint);
    const collectors = [collect(anon, codes), collect(observer, codes)];
    // A welcomed observer, so that reports about unknown trials/studies get past the Hello check.
    await observer.send([
      PROTOCOL_TAG_BYTES,
      env({ hello: { peerId: "mallory", role: v1.PeerRole.PEER_ROLE_OBSERVER, observer: {} } }),
    ]);
    await new Promise((r) => setTimeout(r, 100));

    const rnd = lcg(7);
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256)));
    const kinds = 10;
    let sent = 0;
    let huge = 0;
    for (let i = 0; i < 10_000; i++) {
      const k = i % kinds;
      let sock = anon;
      let frames: (Buffer | Uint8Array | string)[];
      switch (k) {
        case 0: // random bytes, random frame count
          frames = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => bytes(Math.floor(rnd() * 120)));
          break;
        case 1: // wrong protocol tag
          frames = ["nadir.v2", env({ heartbeat: {} })];
          break;
        case 2: // Hello with a wrong envelope major version
          frames = [
            PROTOCOL_TAG_BYTES,
            env({ hello: { peerId: "x", role: 1, worker: { capacity: 1 } } }, { versionMajor: 2 }),
          ];
          break;
        case 3: // a frame over --max-frame-bytes (but under the socket's hard limit)
          frames = [
            PROTOCOL_TAG_BYTES,
            env({ hello: { peerId: "big", role: 3, agent: "x".repeat(65_600) } }),
          ];
          break;
        case 4: // garbage payload behind a valid tag
          frames = [PROTOCOL_TAG_BYTES, bytes(1 + Math.floor(rnd() * 64))];
          break;
        case 5: // report for an unknown trial
          sock = observer;
          frames = [
            PROTOCOL_TAG_BYTES,
            env({
              trialReport: {
                trial: { studyId: "honest", trialId: 100_000 + i, attempt: 1 },
                sequence: 1,
                measurement: { step: 1, metrics: { loss: 0 } },
              },
            }),
          ];
          break;
        case 6: // result for an unknown study
          sock = observer;
          frames = [
            PROTOCOL_TAG_BYTES,
            env({
              trialCompleted: {
                trial: { studyId: "nope", trialId: 1, attempt: 1 },
                final: { step: 1, metrics: { loss: -1e9 } },
              },
            }),
          ];
          break;
        case 7: // traffic without Hello
          frames = [
            PROTOCOL_TAG_BYTES,
            env({
              trialCompleted: {
                trial: { studyId: "honest", trialId: 1, attempt: 1 },
                final: { step: 30, metrics: { loss: -1e9 } },
              },
            }),
          ];
          break;
        case 8: // the wrong direction (from a welcomed peer) / an envelope with no body
          sock = i % 20 < 10 ? observer : anon;
          frames = [
            PROTOCOL_TAG_BYTES,
            i % 20 < 10
              ? env({ trialAssignment: { trial: { studyId: "honest", trialId: 1, attempt: 1 } } })
              : Buffer.from([0x08, 0x01]),
          ];
          break;
        default: // wrong number of frames and empty frames
          frames =
            i % 1000 === 9
              ? [PROTOCOL_TAG_BYTES, bytes(2 * 1024 * 1024)]
              : [Buffer.alloc(0), Buffer.alloc(0), Buffer.alloc(0)];
          if (i % 1000 === 9) huge += 1;
      }
      try {
        await sock.send(frames as Buffer[]);
      } catch (err) {
        throw new Error(`send ${i} (kind ${k}) failed after ${sent} sent: ${(err as Error).message}`);
      }
      sent += 1;
    }
    expect(sent).toBe(10_000);
    expect(huge).toBe(10);
    const floodMs = Date.now() - t0;
    // The flood was concurrent with the honest work: the study was not finished when it ended.
    expect(summarize(journal, "honest").completed.size).toBeLessThan(10);
    expect(await serve.exited).toBe(0);
    expect(await honest.exited).toBe(0);
    for (const s of sockets.splice(0)) s.close();
    await Promise.all(collectors);

    const s = summarize(journal, "honest");
    expect([...s.completed.values()].flat().length).toBe(10);
    for (const a of s.completed.values()) expect(a).toEqual([1]);
    // No hostile result got in: every recorded loss is the honest worker's (positive) closed form.
    for (const loss of s.finalLoss.values()) expect(loss).toBeGreaterThan(0);
    expect(summarize(journal).completed.size).toBe(10);
    // Typed answers of each kind came back (frames over the socket's hard size limit get no answer: libzmq
    // drops such connections, and the sender reconnects).
    for (const code of [
      "MALFORMED",
      "VERSION_MISMATCH",
      "REFUSED:REFUSAL_REASON_VERSION_MISMATCH",
      "OVERSIZE",
      "UNKNOWN_TRIAL",
      "UNKNOWN_STUDY",
      "NOT_WELCOMED",
      "UNEXPECTED_MESSAGE",
      "UNKNOWN_BODY",
    ]) {
      expect(codes.get(code) ?? 0, code).toBeGreaterThan(0);
    }
    expect(codes.get("UNKNOWN_TRIAL")).toBeGreaterThan(900);
    expect(serve.err()).toMatch(/bad message from peer/);
    expect(floodMs).toBeGreaterThan(0);
  });

  it("rate-limits a flooding peer with a typed RATE_LIMITED answer", async () => {
    const dir = tmpDir();
    const study = writeStudy(dir, "rl", 1, 5);
    const serve = await startServe(["--study", study, "--bind", "tcp://127.0.0.1:0", "--rate-limit", "100"]);
    const codes = new Map<string, number>();
    const d = dealer(serve.endpoint);
    const c = collect(d, codes);
    for (let i = 0; i < 2000; i++) await d.send([PROTOCOL_TAG_BYTES, Buffer.from([1, 2, 3])]);
    await new Promise((r) => setTimeout(r, 300));
    d.close();
    await c;
    expect(codes.get("RATE_LIMITED") ?? 0).toBeGreaterThan(0);
    // At most burst (2 x 100) + rate x elapsed malformed answers, far fewer than the 2000 frames sent.
    expect(codes.get("MALFORMED") ?? 0).toBeLessThan(600);
    serve.child.kill("SIGTERM");
    expect(await serve.exited).toBe(0);
    expect(serve.out()).toMatch(/nadir: stopped/);
  });
});

describe("CURVE", () => {
  it("with CURVE on, a client without an allowed key can neither get a trial nor submit a result", async () => {
    const dir = tmpDir();
    const keys = path.join(dir, "keys");
    const gen = async (args: string[]) => {
      const p = spawnProc([cliBin, "keys", "gen", "--dir", keys, ...args]);
      expect(await p.exited).toBe(0);
      return p.out().trim();
    };
    const serverPub = await gen(["--name", "server"]);
    const goodPub = await gen(["--name", "good", "--allow"]);
    await gen(["--name", "bad"]);
    expect(fs.readFileSync(path.join(keys, "authorized_keys"), "utf8").trim()).toBe(goodPub);
    const read = (n: string) => fs.readFileSync(path.join(keys, n), "utf8").trim();
    const study = writeStudy(dir, "curve", 3, 10);
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
      "1000",
    ]);

    // An unknown key pair and a plain (NULL-mechanism) client try first.
    const bad = startWorker(serve.endpoint, "bad", {
      curve: { server: serverPub, pub: read("bad.public"), sec: read("bad.secret") },
    });
    const plain = startWorker(serve.endpoint, "plain");
    const intruder = dealer(serve.endpoint, {
      curveServerKey: serverPub,
      curvePublicKey: read("bad.public"),
      curveSecretKey: read("bad.secret"),
    });
    const replies = new Map<string, number>();
    const c = collect(intruder, replies);
    await intruder.send([
      PROTOCOL_TAG_BYTES,
      env({ hello: { peerId: "intruder", role: 1, worker: { capacity: 1 } } }),
    ]);
    await intruder
      .send([
        PROTOCOL_TAG_BYTES,
        env({
          trialCompleted: {
            trial: { studyId: "curve", trialId: 1, attempt: 1 },
            final: { step: 10, metrics: { loss: -1 } },
          },
        }),
      ])
      .catch(() => {});
    await new Promise((r) => setTimeout(r, 2500));
    expect(bad.out()).not.toMatch(/welcomed/);
    expect(plain.out()).not.toMatch(/welcomed/);
    expect(replies.size).toBe(0);
    expect(summarize(journal).assigned).toEqual([]);

    const good = startWorker(serve.endpoint, "good", {
      curve: { server: serverPub, pub: goodPub, sec: read("good.secret") },
    });
    // On a hang, say where (with the processes' output) instead of only "timed out".
    const within = async (p: Promise<number | null>, what: string): Promise<number | null | string> => {
      const r = await Promise.race([p, new Promise<string>((res) => setTimeout(() => res("hang"), 45_000))]);
      if (r === "hang")
        throw new Error(
          `${what} did not exit in 45 s\n--- serve stderr\n${serve.err()}\n--- good out\n${good.out()}\n--- good err\n${good.err()}\n--- bad out\n${bad.out()}\n--- plain out\n${plain.out()}`,
        );
      return r;
    };
    expect(await within(serve.exited, "serve")).toBe(0);
    // The good worker exits on the coordinator's Shutdown (it must not be lost when serve exits).
    expect(await within(good.exited, "the good worker")).toBe(0);
    intruder.close();
    await c;
    const s = summarize(journal, "curve");
    expect([...s.completed.values()].flat().length).toBe(3);
    expect(new Set(s.assigned.map((a) => a.workerId))).toEqual(new Set(["good"]));
    for (const loss of s.finalLoss.values()) expect(loss).toBeGreaterThan(0);
    expect(serve.err()).toMatch(/zap: refused CURVE key/);
  });
});
