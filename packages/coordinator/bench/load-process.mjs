/**
 * The benchmark load, in its own process (forked by harness.mjs): real DEALER sockets, real envelopes
 * (client.mjs), its own event loop, apart from every server it drives. argv[2] is a JSON config.
 *
 * mode "reports" (reports.bench.mjs): `sockets` DEALERs per server in `endpoints` ({echo, coordinator}).
 *   Coordinator sockets say Hello (capacity 1), take their TrialAssignment, then report on it with
 *   sequence 1, 2, ...; echo sockets skip the handshake. The parent drives one server at a time:
 *   `phase {mode, measure}` lets that server's sockets keep `window` reports in flight each (every reply
 *   releases the next), `end-phase` closes it and answers the replies counted; only ACK_STATUS_ACCEPTED
 *   coordinator replies count (anything else is an error).
 *
 * mode "trials" (flat-cost.bench.mjs): one process drives study after study. `start {endpoint, workers,
 *   capacity, windowTrials, totalTrials}` opens `workers` worker DEALERs (capacity `capacity` each); every
 *   TrialAssignment is answered at once with the trial's one TrialCompleted, and every accepted Ack
 *   counts one trial. The load never pauses: every `windowTrials` trials (and at the last) it sends
 *   {type: "window", done, at} with `at` on the clock all processes share (performance.timeOrigin +
 *   performance.now()), so the parent can time windows and cut out its own sampling pauses. `cut` stops
 *   answering new assignments and sends a last {cut: true} window once every completion is acknowledged;
 *   `end-study` closes the study's sockets. Heartbeats (every Welcome.heartbeat_interval_ms) keep held
 *   assignments' leases alive.
 *   `hello {count, maxMs, window, newIds}` opens one more DEALER and sends Hellos (observer role) with
 *   `window` in flight: with newIds every Hello names a new peer id (a flood), otherwise the same one
 *   again; it answers Welcomes received and the seconds they took.
 */
import { performance } from "node:perf_hooks";
import {
  completedBody,
  dealer,
  decodeReply,
  frames,
  heartbeatBody,
  helloBody,
  reportBody,
  sleep,
  v1,
} from "./client.mjs";

const cfg = JSON.parse(process.argv[2]);
const ACCEPTED = v1.AckStatus.ACK_STATUS_ACCEPTED;
const errors = [];
const note = (e) => {
  if (errors.length < 20) errors.push(String(e?.stack ?? e));
};
const answer = (m, body = {}) => process.send({ id: m.id, ...body });

// ------------------------------------------------------------------------------------------ reports mode

function reportsMode() {
  const { endpoints, sockets, window, firstIndex } = cfg;
  let active = "";
  let measuring = false;
  let counted = 0;
  let stopped = false;
  let coordinatorReplies = 0;
  const sizes = {};

  class Client {
    constructor(mode, index) {
      this.mode = mode;
      // Same length for both modes, so the two servers get requests of the same size.
      this.peerId = `bench-${mode === "echo" ? "e" : "c"}-${String(index).padStart(3, "0")}`;
      this.sock = dealer(endpoints[mode]);
      this.ref = { studyId: cfg.studyId, trialId: 1, attempt: 1 };
      this.seq = 0;
      this.inFlight = 0;
      this.sending = false;
      sizes[mode] ??= { requestBytes: 0, replyBytes: 0 };
    }

    async handshake() {
      if (this.mode !== "coordinator") return;
      await this.sock.send(frames(this.peerId, helloBody(this.peerId)));
      for (;;) {
        const env = decodeReply(await this.sock.receive());
        if (env.body === "refused") throw new Error(`refused: ${env.refused.message}`);
        if (env.body === "trialAssignment") {
          this.ref = env.trialAssignment.trial;
          return;
        }
      }
    }

    async fill() {
      if (this.sending) return;
      this.sending = true;
      try {
        while (active === this.mode && !stopped && this.inFlight < window) {
          this.inFlight += 1;
          this.seq += 1;
          const m = frames(this.peerId, reportBody(this.ref, this.seq));
          sizes[this.mode].requestBytes ||= m[1].length;
          await this.sock.send(m);
        }
      } finally {
        this.sending = false;
      }
    }

    async receiveLoop() {
      for await (const parts of this.sock) {
        this.inFlight -= 1;
        const env = decodeReply(parts);
        sizes[this.mode].replyBytes ||= parts[1].length;
        const ok = this.mode !== "coordinator" || (env.body === "ack" && env.ack.status === ACCEPTED);
        if (!ok) note(`${env.body}: ${JSON.stringify(env[env.body])}`);
        else {
          if (this.mode === "coordinator") coordinatorReplies += 1;
          if (measuring && active === this.mode) counted += 1;
        }
        if (stopped && this.inFlight === 0) break;
        void this.fill();
      }
      if (!this.sock.closed) this.sock.close();
    }
  }

  const clients = [];
  for (const mode of Object.keys(endpoints))
    for (let i = 0; i < sockets; i++) clients.push(new Client(mode, firstIndex + i));
  const loops = [];
  let elu0;
  process.on("message", (m) => {
    if (m.type === "phase") {
      active = m.mode;
      counted = 0;
      measuring = m.measure;
      elu0 = performance.eventLoopUtilization();
      for (const c of clients) if (c.mode === active) void c.fill();
      answer(m);
    } else if (m.type === "end-phase") {
      const elu = performance.eventLoopUtilization(elu0).utilization;
      measuring = false;
      active = "";
      answer(m, { counted, elu });
    } else if (m.type === "stop") {
      stopped = true;
      active = "";
      for (const c of clients) if (c.inFlight === 0) c.sock.close();
      void Promise.race([Promise.all(loops), sleep(20_000)]).then(() => {
        answer(m, { errors, sizes, coordinatorReplies });
        setTimeout(() => process.exit(0), 10);
      });
    } else if (m.type === "progress") answer(m, { coordinatorReplies, errors });
    else if (m.type === "handshakes") {
      handshakes.then(
        () => answer(m, { sockets: clients.length }),
        (err) => answer(m, { error: String(err?.stack ?? err) }),
      );
    }
  });
  const handshakes = (async () => {
    await Promise.all(clients.map((c) => c.handshake()));
    for (const c of clients) loops.push(c.receiveLoop().catch((err) => (stopped ? undefined : note(err))));
  })();
}

// ------------------------------------------------------------------------------------------- trials mode

function trialsMode() {
  const stats = { assignments: 0, otherReplies: {}, requestBytes: 0, replyBytes: 0 };
  let heartbeatMs = 1000;
  /** The study being driven: its workers, counters and window boundaries (replaced by each `start`). */
  let study;

  class Worker {
    constructor(st, i) {
      this.st = st;
      this.peerId = `bench-w-${st.index}-${String(i).padStart(4, "0")}`;
      this.sock = dealer(st.endpoint);
      this.running = new Map(); // "trialId/attempt" -> ref
    }

    async start() {
      await this.sock.send(frames(this.peerId, helloBody(this.peerId, { capacity: this.st.capacity })));
      void this.loop().catch((err) => {
        if (!this.st.stopped) note(err);
      });
    }

    complete(ref) {
      this.st.inFlight += 1;
      const m = frames(this.peerId, completedBody(ref, 100));
      stats.requestBytes ||= m[1].length;
      this.sock.send(m).catch((err) => (this.st.stopped ? undefined : note(err)));
    }

    async loop() {
      const st = this.st;
      for await (const parts of this.sock) {
        const env = decodeReply(parts);
        if (env.body === "trialAssignment") {
          stats.assignments += 1;
          const ref = env.trialAssignment.trial;
          this.running.set(`${ref.trialId}/${ref.attempt}`, ref);
          // After a cut the assignment stays unanswered (its lease is kept alive by heartbeats).
          if (!st.cutting) this.complete(ref);
        } else if (env.body === "ack") {
          st.inFlight -= 1;
          stats.replyBytes ||= parts[1].length;
          const ref = env.ack.trial;
          this.running.delete(`${ref.trialId}/${ref.attempt}`);
          if (env.ack.status !== ACCEPTED) note(`ack status ${env.ack.status} for trial ${ref.trialId}`);
          else {
            st.done += 1;
            if (st.done % st.windowTrials === 0 || st.done === st.totalTrials)
              boundary(st, st.done === st.totalTrials);
          }
          if (st.cutting && st.inFlight === 0) boundary(st, false, true);
        } else if (env.body === "welcome") {
          heartbeatMs = env.welcome.heartbeatIntervalMs || heartbeatMs;
        } else {
          stats.otherReplies[env.body] = (stats.otherReplies[env.body] ?? 0) + 1;
          if (env.body === "refused" || env.body === "error")
            note(`${env.body}: ${JSON.stringify(env[env.body])}`);
        }
      }
    }
  }

  /** A window boundary, stamped on the clock all processes share (performance.timeOrigin + now). */
  function boundary(st, finished, cut = false) {
    if (st.ended) return;
    if (finished || cut) st.ended = true;
    process.send({
      type: "window",
      done: st.done,
      at: performance.timeOrigin + performance.now(),
      finished,
      cut,
    });
  }

  const beat = async () => {
    for (;;) {
      await sleep(heartbeatMs);
      const st = study;
      if (!st || st.stopped) continue;
      for (const w of st.workers)
        if (w.running.size > 0)
          w.sock.send(frames(w.peerId, heartbeatBody([...w.running.values()]))).catch(() => {});
    }
  };
  void beat();

  let probes = 0;
  async function hello(m) {
    const sock = dealer(study.endpoint);
    // A fresh id per call: each call is a new connection, and an id still held by an earlier connection
    // may rightly be refused.
    probes += 1;
    const probeId = `bench-probe-${m.tag}-${probes}`;
    let sent = 0;
    let welcomes = 0;
    let other = 0;
    const answers = {};
    const t0 = performance.now();
    const deadline = t0 + (m.maxMs || Number.POSITIVE_INFINITY);
    const send = () => {
      sent += 1;
      const id = m.newIds ? `bench-flood-${probes}-${String(sent).padStart(7, "0")}` : probeId;
      return sock.send(frames(id, helloBody(id, { role: "observer" })));
    };
    for (let i = 0; i < Math.min(m.window, m.count); i++) await send();
    let last = t0;
    let unanswered = 0;
    while (welcomes + other < sent) {
      // A server may also drop Hellos without an answer: 10 s of silence ends the round.
      const parts = await Promise.race([sock.receive(), sleep(10_000).then(() => null)]);
      if (parts === null) {
        unanswered = sent - welcomes - other;
        if (!m.newIds) note(`${unanswered} Hellos unanswered after 10 s`);
        break;
      }
      const env = decodeReply(parts);
      if (env.body === "welcome") welcomes += 1;
      else {
        other += 1;
        answers[env.body] = (answers[env.body] ?? 0) + 1;
        // A flood may rightly be refused (a connection that keeps changing its peer id); a probe may not.
        if (!m.newIds) note(`hello answered ${env.body}: ${JSON.stringify(env[env.body])}`);
      }
      last = performance.now();
      if (sent < m.count && last <= deadline) await send();
    }
    sock.close();
    const seconds = (last - t0) / 1000;
    answer(m, { sent, welcomes, other, answers, unanswered, seconds, perSecond: welcomes / seconds });
  }

  let studies = 0;
  process.on("message", (m) => {
    if (m.type === "start") {
      // {endpoint, workers, capacity, windowTrials, totalTrials}: a new study on a new server.
      studies += 1;
      study = { ...m, index: studies, done: 0, inFlight: 0, cutting: false, ended: false, stopped: false };
      study.workers = Array.from({ length: m.workers }, (_, i) => new Worker(study, i));
      answer(m, { at: performance.timeOrigin + performance.now() });
      void Promise.all(study.workers.map((w) => w.start())).catch(note);
    } else if (m.type === "cut") {
      // The parent's time limit: stop answering assignments, and end with the window in progress once
      // every sent completion is acknowledged.
      study.cutting = true;
      if (study.inFlight === 0) boundary(study, false, true);
      answer(m);
    } else if (m.type === "hello") {
      void hello(m).catch((err) => {
        note(err);
        answer(m, { error: String(err) });
      });
    } else if (m.type === "status") answer(m, { done: study?.done, errors, stats: { ...stats } });
    else if (m.type === "end-study") {
      study.stopped = true;
      for (const w of study.workers) w.sock.close();
      answer(m, { done: study.done, errors });
    } else if (m.type === "stop") {
      answer(m, { errors, stats });
      setTimeout(() => process.exit(0), 10);
    }
  });
}

try {
  if (cfg.mode === "reports") reportsMode();
  else trialsMode();
  process.send({ type: "ready" });
} catch (err) {
  process.send({ type: "fatal", error: String(err?.stack ?? err) });
}
