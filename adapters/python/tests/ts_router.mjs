#!/usr/bin/env node
// The TypeScript side of adapters/python/tests/test_interop_zmq.py: a real zeromq ROUTER on
// tcp://127.0.0.1 that speaks protocol v1 through @nadir/protocol's framing layer (packages/protocol/dist).
//
// Behaviour, per received multipart message [identity, tag, envelope]:
// - decode with decodeFrames({ identity: true }); on a ProtocolError answer ErrorReply{code} (or, for a
//   Hello/version problem, Refused{REFUSAL_REASON_VERSION_MISMATCH}), correlation = nothing;
// - Hello: negotiateVersion(envelope version) -> Welcome{negotiated_minor};
// - a body named in the golden set: check that the payload is the golden message (canonical JSON equal
//   after replacing message_id) and that re-encoding reproduces the received bytes exactly; answer with
//   the golden envelope of the same kind, encoded here, correlation_id = the received message_id;
// - Shutdown with reason "test-done": print a summary line and exit 0.
// Prints "READY <endpoint>" once bound. Every check failure is printed as "FAIL ..." and exits 1.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../../..");
// zeromq is a dependency of the coordinator (the package that owns sockets); resolve it from there.
const zmq = createRequire(path.join(repoRoot, "packages/coordinator/package.json"))("zeromq");
// The package root (messages, versions, errors) and the framing sub-entry point (@nadir/protocol/framing).
const load = (file) => import(pathToFileURL(path.join(repoRoot, "packages/protocol/dist", file)).href);
const P = { ...(await load("index.js")), ...(await load("framing.js")) };

const testdata = path.join(repoRoot, "protocols/testdata");
const golden = new Map();
for (const f of readdirSync(testdata).filter((f) => f.endsWith(".json") && !f.startsWith("journal_record"))) {
  const kind = f.replace(/\.json$/, "");
  golden.set(kind, {
    json: JSON.parse(readFileSync(path.join(testdata, f), "utf8")),
    bin: readFileSync(path.join(testdata, `${kind}.bin`)),
  });
}
const snake = (k) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function fail(msg) {
  process.stdout.write(`FAIL ${msg}\n`);
  process.exit(1);
}

const router = new zmq.Router({ linger: 0 });
await router.bind("tcp://127.0.0.1:*");
process.stdout.write(`READY ${router.lastEndpoint}\n`);
const deadline = setTimeout(() => fail("no test-done within 60 s"), 60_000);

const counts = { checked: 0, errors: 0, welcomes: 0, refusals: 0 };
for await (const frames of router) {
  const identity = frames[0];
  let msg;
  try {
    msg = P.decodeFrames(frames, { identity: true, maxFrameBytes: 64 * 1024 });
  } catch (err) {
    if (!(err instanceof P.ProtocolError)) fail(`non-protocol exception: ${err}`);
    counts.errors += 1;
    const body =
      err.code === "version_mismatch"
        ? {
            refused: {
              reason: P.nadir.v1.RefusalReason.REFUSAL_REASON_VERSION_MISMATCH,
              message: err.message,
              supportedVersions: [P.CURRENT_VERSION],
            },
          }
        : P.errorReplyFor(err);
    if (body.refused) counts.refusals += 1;
    // The reply carries the error code's name in sender_id-independent form; the test matches on code.
    await router.send([
      identity,
      ...P.encodeFrames(P.makeEnvelope(body, { senderId: "ts-router", correlationId: `error:${err.code}` })),
    ]);
    continue;
  }
  const env = msg.envelope;
  const kind = snake(env.body);
  if (kind === "shutdown" && env.shutdown.reason === "test-done") {
    process.stdout.write(`DONE ${JSON.stringify(counts)}\n`);
    await router.send([
      identity,
      ...P.encodeFrames(
        P.makeEnvelope(
          { ack: { status: P.nadir.v1.AckStatus.ACK_STATUS_ACCEPTED } },
          { correlationId: env.messageId, senderId: "ts-router" },
        ),
      ),
    ]);
    clearTimeout(deadline);
    // Let the last reply leave before closing.
    await new Promise((r) => setTimeout(r, 200));
    router.close();
    process.exit(0);
  }
  if (kind === "hello" && env.messageId.startsWith("handshake-")) {
    const n = P.negotiateVersion({ major: env.versionMajor, minor: env.versionMinor });
    const body = n.ok
      ? {
          welcome: {
            peerId: env.hello.peerId,
            sessionId: "ts-session",
            negotiatedMinor: n.minor,
            heartbeatIntervalMs: 1000,
            peerTimeoutMs: 5000,
            maxFrameBytes: 64 * 1024,
          },
        }
      : {
          refused: {
            reason: P.nadir.v1.RefusalReason.REFUSAL_REASON_VERSION_MISMATCH,
            message: n.message,
            supportedVersions: n.supported,
          },
        };
    if (n.ok) counts.welcomes += 1;
    else counts.refusals += 1;
    await router.send([
      identity,
      ...P.encodeFrames(P.makeEnvelope(body, { correlationId: env.messageId, senderId: "ts-router" })),
    ]);
    continue;
  }
  const g = golden.get(kind);
  if (!g) fail(`no golden vector for ${kind}`);
  const got = P.envelopeToJson(env);
  const want = { ...g.json, messageId: env.messageId };
  if (JSON.stringify(got) !== JSON.stringify(want))
    fail(`${kind}: decoded ${JSON.stringify(got)} != golden ${JSON.stringify(want)}`);
  const reencoded = Buffer.from(P.nadir.v1.Envelope.encode(env).finish());
  if (!reencoded.equals(Buffer.from(frames[2]))) fail(`${kind}: re-encoding differs from the Python bytes`);
  counts.checked += 1;
  const reply = P.envelopeFromJson({ ...g.json, correlationId: env.messageId });
  await router.send([identity, ...P.encodeFrames(reply)]);
}
