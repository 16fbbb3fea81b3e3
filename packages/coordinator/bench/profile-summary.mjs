/**
 * Where a process's time goes, from a V8 CPU profile (`node --cpu-prof`): every sample is charged to the
 * innermost frame of a known part (self) and to every part on its stack (inclusive):
 *
 *   zeromq       zeromq.js: the binding's JS and its native send/receive calls (url-less "Proxy" frames);
 *                libzmq's own I/O thread is not in a V8 profile
 *   protobuf     protobufjs and the generated nadir.v1 codecs (envelope and journal record encode/decode)
 *   framing      @nadir/protocol's framing (frames <-> envelope checks around protobuf)
 *   journal      the coordinator's journal (record framing, CRC-32C, write / fdatasync calls)
 *   coordinator  the coordinator's handlers, scheduler and state (everything else in its dist/)
 *   gc / idle / program   V8's own buckets (garbage collector, waiting for events, native code)
 *   node         Node internals with no known part on the stack (timers, IPC, promise plumbing)
 *
 * Usage as a script: node bench/profile-summary.mjs <file.cpuprofile>
 */
import * as fs from "node:fs";

const PARTS = [
  ["zeromq", (u) => u.includes("/zeromq/")],
  ["protobuf", (u) => u.includes("protobufjs") || u.includes("/protocol/src/gen/")],
  ["framing", (u) => u.includes("/protocol/dist/")],
  ["journal", (u) => /\/coordinator\/dist\/(journal(\/[^/]+)?|crc32c)\.js/.test(u)],
  ["coordinator", (u) => u.includes("/coordinator/dist/")],
];

function partOf(frame) {
  const u = frame.url ?? "";
  for (const [name, test] of PARTS) if (u && test(u)) return name;
  if (frame.functionName === "(garbage collector)") return "gc";
  if (frame.functionName === "(idle)") return "idle";
  if (frame.functionName === "(program)") return "program";
  return undefined;
}

/** Shares (0..1) of sampled time per part, self and inclusive, plus the top self-time functions. */
export function summarizeProfile(file) {
  const prof = JSON.parse(fs.readFileSync(file, "utf8"));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  const inclusive = new Map();
  const fnSelf = new Map();
  const memo = new Map();
  /** [innermost part, set of parts on the stack] of a node. */
  const parts = (id) => {
    if (memo.has(id)) return memo.get(id);
    const n = byId.get(id);
    let own = partOf(n.callFrame);
    // zeromq.js's native socket methods (send, receive) appear as url-less "Proxy" frames under the
    // binding's JS or the coordinator's send queue.
    const caller = parent.has(id) ? byId.get(parent.get(id)).callFrame.url : "";
    if (!own && n.callFrame.functionName === "Proxy" && /\/zeromq\/|send-queue\.js/.test(caller))
      own = "zeromq";
    const up = parent.has(id) ? parts(parent.get(id)) : [undefined, new Set()];
    const set = new Set(up[1]);
    if (own) set.add(own);
    const r = [own ?? up[0], set];
    memo.set(id, r);
    return r;
  };
  let total = 0;
  const deltas = prof.timeDeltas ?? [];
  prof.samples.forEach((id, i) => {
    const dt = Math.max(0, deltas[i + 1] ?? deltas[i] ?? 0);
    total += dt;
    const [inner, set] = parts(id);
    const k = inner ?? "node";
    self.set(k, (self.get(k) ?? 0) + dt);
    for (const p of set) inclusive.set(p, (inclusive.get(p) ?? 0) + dt);
    const f = byId.get(id).callFrame;
    const name = `${f.functionName || "(anonymous)"} ${(f.url ?? "").replace(/^.*\/node_modules\//, "").replace(/^file:\/\/.*\/packages\//, "")}:${f.lineNumber + 1}`;
    fnSelf.set(name, (fnSelf.get(name) ?? 0) + dt);
  });
  const share = (m) =>
    Object.fromEntries(
      [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Number((v / total).toFixed(4))]),
    );
  const idle = self.get("idle") ?? 0;
  const busy = total - idle;
  return {
    seconds: total / 1e6,
    busyShare: busy / total,
    self: share(self),
    inclusive: share(inclusive),
    /** Shares of the busy (non-idle) time, self. */
    selfOfBusy: Object.fromEntries(
      [...self]
        .filter(([k]) => k !== "idle")
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => [k, Number((v / busy).toFixed(4))]),
    ),
    topFunctions: [...fnSelf]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([k, v]) => ({ function: k, selfShare: Number((v / total).toFixed(4)) })),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!process.argv[2]) {
    console.error("usage: node bench/profile-summary.mjs <file.cpuprofile>");
    process.exit(2);
  }
  console.log(JSON.stringify(summarizeProfile(process.argv[2]), null, 2));
}
