/**
 * End-to-end cost of `nadir run --replay deberta-v3-base`: the 1,024 recorded DeBERTaV3 random-search runs
 * of the opda papers served through a real coordinator, file journal and two replay-worker processes, then
 * analysed and reported. Target: under 60 s on a 2-core machine, process start to exit.
 *
 * Machines here are noisy, so the run is compared with a baseline measured in the same session, in
 * alternation: `nadir report <journal>` on the run's own journal (process start, the journal read, the same
 * analysis and the same HTML report, no coordination). ratio = replay / report is what the coordination of
 * 1,024 trials costs over analysing them; the absolute seconds are printed next to the 60 s target.
 *
 * The same replay with the study stopper (`--gain 0.002 --in-trials 256`) is timed too, with the search
 * trials its stop came after and the trials ever created: what the stopper saves, and that its decisions
 * keep up (a study whose fit lags holds its queued trials, so the stop count does not grow with load).
 *
 * Usage: node packages/cli/bench/replay.bench.mjs [--reps 3] [--out FILE]
 * Writes packages/cli/bench/results/replay.json unless --out.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.join(here, "../dist/bin.js");
const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const reps = Number(flag("--reps", "3"));
if (!(Number.isInteger(reps) && reps >= 1))
  throw new RangeError(`--reps must be an integer >= 1, got ${reps}`);
const out = flag("--out", path.join(here, "results/replay.json"));
const TARGET_S = 60;

/** Runs the CLI and returns its wall seconds (and stdout); throws with its stderr when it fails. */
function timedOut(cliArgs) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, ...cliArgs], { encoding: "utf8", timeout: 600_000 });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`nadir ${cliArgs.join(" ")} exited ${r.status}: ${r.stderr}`);
  return { s, stdout: r.stdout };
}
const timed = (cliArgs) => timedOut(cliArgs).s;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const replay = [];
const report = [];
const stopper = [];
for (let i = 0; i < reps; i++) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nadir-replay-bench-"));
  try {
    const run = ["run", "--replay", "deberta-v3-base", "--run-dir", dir, "--workers", "2", "--no-progress"];
    replay.push(timed(run));
    report.push(timed(["report", path.join(dir, "journal"), "--out", path.join(dir, "again.html")]));
    const stopDir = path.join(dir, "stopper");
    const st = timedOut([
      ...run.slice(0, 3),
      "--run-dir",
      stopDir,
      ...run.slice(5),
      "--no-report",
      "--gain",
      "0.002",
      "--in-trials",
      "256",
    ]);
    const m = st.stdout.match(/stopped after (\d+) search trials \((\d+) trials/);
    if (!m) throw new Error(`the stopper did not stop the replay:\n${st.stdout}`);
    stopper.push({ s: st.s, search_trials: Number(m[1]), created: Number(m[2]) });
    process.stderr.write(
      `rep ${i + 1}/${reps}: replay ${replay[i].toFixed(1)} s, report of its journal ${report[i].toFixed(1)} s, ` +
        `with the stopper ${st.s.toFixed(1)} s (stopped after ${m[1]} search trials, ${m[2]} created)\n`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const result = {
  bench: "replay",
  command: "nadir run --replay deberta-v3-base --workers 2 --no-progress",
  trials: 1024,
  reps,
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? "", node: process.version },
  replay_s: replay,
  report_s: report,
  median_replay_s: median(replay),
  median_report_s: median(report),
  ratio_replay_to_report: median(replay) / median(report),
  stopper: {
    flags: "--gain 0.002 --in-trials 256 --no-report",
    runs: stopper,
    median_s: median(stopper.map((x) => x.s)),
    median_search_trials: median(stopper.map((x) => x.search_trials)),
    median_created: median(stopper.map((x) => x.created)),
  },
  target_s: TARGET_S,
  target_met: median(replay) < TARGET_S,
  at: new Date().toISOString(),
};
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(
  `replay of 1,024 runs: median ${result.median_replay_s.toFixed(1)} s (target < ${TARGET_S} s: ${result.target_met ? "met" : "NOT met"}); ` +
    `report of the same journal ${result.median_report_s.toFixed(1)} s; ratio ${result.ratio_replay_to_report.toFixed(2)}\n` +
    `with the stopper: median ${result.stopper.median_s.toFixed(1)} s, stopped after ${result.stopper.median_search_trials} search trials (${result.stopper.median_created} of 1,024 created)\n` +
    `written to ${out}\n`,
);
