/**
 * What both benches share: forking the server and load processes with a small request/answer protocol
 * over Node's IPC channel, the machine description written into every result file, and the statistics.
 */
import { execFileSync, fork } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import * as zmq from "zeromq";

export const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Forks `script` with `args`; resolves once it sent {type: "ready"}. The handle's `call(type, extra)`
 * sends a request and resolves with the answer carrying the same id; `on(type, fn)` receives unsolicited
 * messages (progress events); `exit()` resolves when the process has ended.
 */
export function spawn(script, args, { execArgv = [], env } = {}) {
  const child = fork(path.join(here, script), args, {
    execArgv,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    ...(env ? { env: { ...process.env, ...env } } : {}),
  });
  let next = 1;
  const pending = new Map();
  const listeners = new Map();
  let failure;
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  const fail = (why) => {
    failure ??= new Error(`${script}: ${why}`);
    for (const p of pending.values()) p.reject(failure);
    pending.clear();
  };
  child.on("exit", (code, signal) => {
    if (code !== 0 || pending.size > 0) fail(`exited (code ${code}, signal ${signal})`);
  });
  child.on("error", (err) => fail(err.message));
  return new Promise((resolve, reject) => {
    child.on("message", (m) => {
      if (m.id !== undefined && pending.has(m.id)) {
        const p = pending.get(m.id);
        pending.delete(m.id);
        if (m.error) p.reject(new Error(`${script}: ${m.error}`));
        else p.resolve(m);
      } else if (m.type === "ready") {
        resolve({
          pid: child.pid,
          info: m,
          call: (type, extra = {}) =>
            new Promise((res, rej) => {
              if (failure) return rej(failure);
              const id = next++;
              pending.set(id, { resolve: res, reject: rej });
              child.send({ ...extra, type, id });
            }),
          on: (type, fn) => listeners.set(type, fn),
          failure: () => failure,
          exit: () => exited,
          kill: () => child.kill("SIGKILL"),
        });
      } else if (m.type === "fatal") {
        fail(m.error);
        reject(new Error(`${script}: ${m.error}`));
      } else listeners.get(m.type)?.(m);
    });
    exited.then(() => reject(failure ?? new Error(`${script} exited before it was ready`)));
  });
}

/** A server process (server-process.mjs); `execArgv` adds e.g. --cpu-prof. */
export function startServer(config, execArgv = []) {
  return spawn("server-process.mjs", [JSON.stringify(config)], { execArgv: ["--expose-gc", ...execArgv] });
}

/** A load process (load-process.mjs). */
export function startLoad(config) {
  return spawn("load-process.mjs", [JSON.stringify(config)]);
}

function gitCommit() {
  try {
    const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: here, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "../src"], {
      cwd: here,
      encoding: "utf8",
    });
    return { commit: head, coordinatorSourceModified: dirty.trim().length > 0 };
  } catch {
    return { commit: "unknown", coordinatorSourceModified: null };
  }
}

/** Machine, software and the 1/5/15-minute load averages at the start (call `end()` for the end). */
export function machineInfo() {
  const info = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "",
    memoryBytes: os.totalmem(),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    zeromq: zmq.version,
    ...gitCommit(),
    loadAverage: { start: os.loadavg().map((x) => Number(x.toFixed(2))) },
  };
  info.end = () => {
    info.loadAverage.end = os.loadavg().map((x) => Number(x.toFixed(2)));
    delete info.end;
    return info;
  };
  return info;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Least-squares slope of y on x (dy/dx). */
export function slope(xs, ys) {
  const n = xs.length;
  if (n < 2) return Number.NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return num / den;
}

export function writeResult(file, out) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
}

/** Parses `--name value` flags against `defaults` (numbers, comma lists of numbers, strings, booleans). */
export function parseFlags(argv, defaults, usage) {
  try {
    return parse(argv, defaults, usage);
  } catch (err) {
    // A usage mistake is the user's, not a crash: one line and the usage, no stack.
    console.error(`${err.message}\n${usage}`);
    process.exit(2);
  }
}

function parse(argv, defaults, usage) {
  const o = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") {
      console.log(usage);
      process.exit(0);
    }
    const key = a.replace(/^--/, "").replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!a.startsWith("--") || !(key in defaults)) throw new Error(`unknown argument ${a}`);
    const d = defaults[key];
    if (typeof d === "boolean") {
      o[key] = true;
      continue;
    }
    const v = argv[++i];
    if (v === undefined) throw new Error(`${a} needs a value`);
    if (Array.isArray(d)) {
      const xs = v.split(",");
      o[key] = typeof d[0] === "number" ? xs.map(Number) : xs;
      if (typeof d[0] === "number" && o[key].some((x) => !Number.isFinite(x) || x <= 0))
        throw new Error(`${a} needs positive numbers, got ${v}`);
    } else if (typeof d === "number") {
      o[key] = Number(v);
      if (!Number.isFinite(o[key]) || o[key] < 0) throw new Error(`${a} needs a number >= 0, got ${v}`);
    } else o[key] = v;
  }
  return o;
}
