#!/usr/bin/env node
// Writes the golden vectors in protocols/testdata/ deterministically:
//   <kind>.bin   the encoded nadir.v1.Envelope whose body member is <kind> (snake_case), or for
//                journal_record.bin a nadir.v1.JournalRecord
//   <kind>.json  the same message in protobuf's canonical JSON mapping (json_format can parse it)
//   invalid/<name>.json  hostile multipart messages (frames as base64) and the typed error code every
//                decoder must raise for them
// Usage: node scripts/golden.mjs [--out DIR] [--check]
//   --check  regenerate in memory and exit 1 if any checked-in file differs (drift guard)
//
// Every map below lists its keys in sorted order: Python serialises maps sorted by key
// (SerializeToString(deterministic=True)) and protobufjs in insertion order, so sorted keys give the same
// bytes in both languages.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import $protobuf from "protobufjs/minimal.js";
import { nadir } from "../src/gen/nadir.js";

$protobuf.util.Long = null;
$protobuf.configure();
$protobuf.Reader.discardUnknown = false;

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../../..");
const v1 = nadir.v1;

const JSON_OPTS = { longs: String, enums: String, bytes: String, json: true, defaults: false };

let counter = 0;
/** Envelope header with a deterministic message id and time. */
function header(sender, correlation) {
  counter += 1;
  const id = `00000000-0000-4000-8000-${String(counter).padStart(12, "0")}`;
  return {
    versionMajor: 1,
    messageId: id,
    ...(correlation ? { correlationId: correlation } : {}),
    sentUnixMs: "1767225600000",
    senderId: sender,
  };
}

const ref = (trialId, attempt = 1) => ({ studyId: "digits-mlp", trialId, attempt });
const f = (x) => ({ floatValue: x });
const i = (x) => ({ intValue: String(x) });
const s = (x) => ({ stringValue: x });
const b = (x) => ({ boolValue: x });

// The materialised first point of the AlgoPerf external-tuning NAdamW list (algorithms.md §3.1), at a
// 1000-step budget: warmup_steps = floor(0.1 * 1000).
const params1 = {
  beta2: f(0.9981232922116359),
  dropout_rate: f(0),
  label_smoothing: f(0.1),
  learning_rate: f(0.001308209823469072),
  one_minus_beta1: f(0.02686663061),
  use_bias: b(true),
  warmup_factor: f(0.1),
  weight_decay: f(0.16375311233774334),
};
const optimizer1 = {
  nadamw: {
    learningRate: 0.001308209823469072,
    beta1: 1 - 0.02686663061,
    beta2: 0.9981232922116359,
    epsilon: 1e-8,
    weightDecay: 0.16375311233774334,
    variant: "NADAMW_VARIANT_ALGOPERF",
    decayAllParameters: true,
  },
  schedule: {
    kind: "SCHEDULE_KIND_LINEAR_WARMUP_COSINE_DECAY",
    warmupSteps: "100",
    warmupFraction: 0.1,
    warmupRounding: "WARMUP_ROUNDING_FLOOR",
    totalSteps: "1000",
  },
  regularization: { labelSmoothing: 0.1 },
  gradClipNorm: 1,
  globalBatchSize: 128,
};

const studySpec = {
  studyId: "digits-mlp",
  name: "Digits MLP, NAdamW list then Halton",
  searchSpace: {
    parameters: [
      { name: "learning_rate", floatDomain: { min: 0.0001, max: 0.01, scale: "SCALE_LOG" } },
      {
        name: "one_minus_beta1",
        floatDomain: { min: 0.004, max: 0.1, scale: "SCALE_LOG" },
        transform: "TRANSFORM_ONE_MINUS",
        materializedName: "beta1",
      },
      { name: "beta2", fixedDomain: { value: f(0.999) } },
      { name: "warmup_factor", discreteDomain: { values: [0.02, 0.05, 0.1] } },
      { name: "weight_decay", floatDomain: { min: 0.005, max: 1, scale: "SCALE_LOG" } },
      {
        name: "hidden_units",
        intDomain: { min: "16", max: "512", scale: "SCALE_LOG" },
        description: "width of the hidden layer",
      },
      { name: "batch_size", discreteDomain: { values: [32, 64, 128], integer: true } },
      { name: "activation", categoricalDomain: { values: [s("relu"), s("gelu"), s("tanh")] } },
      { name: "use_dropout", categoricalDomain: { values: [b(false), b(true)] } },
      {
        name: "dropout_rate",
        floatDomain: { min: 0, max: 0.5, scale: "SCALE_LINEAR" },
        condition: { parent: "use_dropout", values: [b(true)] },
      },
    ],
  },
  objective: { metric: "validation/error_rate", direction: "DIRECTION_MINIMIZE" },
  budget: { maxTrials: 20, parallelism: 4, maxFailedTrials: 5, maxAttemptsPerTrial: 3, maxWallSeconds: 3600 },
  stepBudget: "1000",
  target: {
    metric: "validation/error_rate",
    threshold: 0.05,
    direction: "DIRECTION_MINIMIZE",
    stopWhenReached: true,
  },
  suggester: {
    list: { listName: "algoperf-nadamw-5", fallback: { kind: "SAMPLER_KIND_HALTON", seed: "42" } },
  },
  earlyStopping: { asha: { minSteps: "100", reductionFactor: 3, minEarlyStoppingRate: 0 } },
  studyStopper: {
    asymptotic: {
      gain: 0.002,
      inTrials: 64,
      minTrials: 16,
      every: 8,
      maxIntervalWidth: 0.01,
      confidence: 0.8,
      threshold: 0.05,
      minTailPoints: 8,
    },
  },
  optimizerDefaults: {
    optimizer: "nadamw",
    variant: "algoperf",
    epsilon: 1e-8,
    schedule: "linear_warmup_cosine_decay",
    warmupRounding: "floor",
  },
  workload: "digits-mlp",
  reportEverySteps: "50",
  replicates: 1,
  labels: { owner: "nadir-tests", purpose: "golden" },
  createdUnixMs: "1767225600000",
  seed: "42",
};

const measurement = (step, secs, metrics) => ({ step: String(step), elapsedSeconds: secs, metrics });

const completedResult = {
  trial: ref(1),
  state: "TRIAL_STATE_COMPLETED",
  parameters: params1,
  final: measurement(1000, 41.25, { "train/loss": 0.0123, "validation/error_rate": 0.031 }),
  measurements: [
    measurement(500, 20.5, { "validation/error_rate": 0.07 }),
    measurement(1000, 41.25, { "validation/error_rate": 0.031 }),
  ],
  target: { reached: true, step: "650", elapsedSeconds: 26.75, value: 0.049 },
  seed: "1234",
  listIndex: 0,
  suggester: "list:algoperf-nadamw-5",
  workerId: "gpu-worker-0",
  startedUnixMs: "1767225601000",
  endedUnixMs: "1767225642250",
};

const divergedResult = {
  trial: ref(2, 2),
  state: "TRIAL_STATE_DIVERGED",
  parameters: { learning_rate: f(0.5), one_minus_beta1: f(0.1) },
  final: measurement(37, 1.5, { "train/loss": "NaN" }),
  seed: "99",
  suggester: "halton",
  workerId: "gpu-worker-1",
  failureKind: "FAILURE_KIND_DIVERGED",
  message: "loss became NaN at step 37",
};

/** One envelope per body member, in .proto order. */
export function goldenEnvelopes() {
  counter = 0;
  return {
    hello: {
      ...header("gpu-worker-0"),
      hello: {
        peerId: "gpu-worker-0",
        role: "PEER_ROLE_WORKER",
        worker: {
          host: "node-17.cluster.local",
          pid: 4242,
          acceleratorKind: "ACCELERATOR_KIND_GPU",
          acceleratorCount: 8,
          acceleratorModel: "NVIDIA H100 80GB HBM3",
          acceleratorMemoryBytes: "85520809984",
          frameworkVersions: { jax: "0.4.35", optax: "0.2.4", python: "3.12.3" },
          capacity: 2,
          workloads: ["digits-mlp", "cifar10-resnet"],
          running: [ref(7, 1)],
        },
        agent: "nadir-worker/0.1.0",
        features: ["histograms", "self-prune"],
        labels: { zone: "us-central1-a" },
      },
    },
    welcome: {
      ...header("coordinator", "00000000-0000-4000-8000-000000000001"),
      welcome: {
        peerId: "gpu-worker-0",
        sessionId: "session-3f2a",
        negotiatedMinor: 0,
        heartbeatIntervalMs: 2000,
        peerTimeoutMs: 10000,
        maxFrameBytes: "4194304",
        reattached: [ref(7, 1)],
        agent: "nadir-coordinator/0.1.0",
        features: ["histograms"],
      },
    },
    refused: {
      ...header("coordinator", "00000000-0000-4000-8000-0000000000aa"),
      refused: {
        reason: "REFUSAL_REASON_VERSION_MISMATCH",
        message: "peer speaks protocol 2.0, this side speaks major 1 (1.0)",
        supportedVersions: [{ major: 1, minor: 0 }],
      },
    },
    goodbye: { ...header("gpu-worker-0"), goodbye: { reason: "drained", running: [ref(9, 1)] } },
    heartbeat: {
      ...header("gpu-worker-0"),
      heartbeat: {
        running: [
          { trial: ref(1), step: "420", elapsedSeconds: 17.5 },
          { trial: ref(7, 1), step: "12", elapsedSeconds: 0.5 },
        ],
        freeSlots: 0,
        resources: { gpu_util: 0.93, rss_bytes: 2147483648 },
      },
    },
    work_request: { ...header("gpu-worker-0"), workRequest: { slots: 2 } },
    trial_assignment: {
      ...header("coordinator"),
      trialAssignment: {
        trial: ref(1),
        parameters: params1,
        stepBudget: "1000",
        seed: "1234",
        optimizer: optimizer1,
        lease: {
          leaseId: "lease-1-1",
          expiresUnixMs: "1767225610000",
          heartbeatIntervalMs: 2000,
          timeoutMs: 10000,
        },
        target: {
          metric: "validation/error_rate",
          threshold: 0.05,
          direction: "DIRECTION_MINIMIZE",
          stopWhenReached: true,
        },
        objective: { metric: "validation/error_rate", direction: "DIRECTION_MINIMIZE" },
        workload: "digits-mlp",
        reportEverySteps: "50",
        suggester: "list:algoperf-nadamw-5",
        listIndex: 0,
        replicate: 0,
        histogramEverySteps: "100",
        labels: { study_name: "digits" },
      },
    },
    trial_rejected: {
      ...header("gpu-worker-0"),
      trialRejected: { trial: ref(3), reason: "unknown workload 'imagenet'" },
    },
    trial_report: {
      ...header("gpu-worker-0"),
      trialReport: {
        trial: ref(1),
        measurement: measurement(500, 20.5, {
          "train/loss": 0.081,
          "validation/accuracy": 0.93,
          "validation/error_rate": 0.07,
        }),
        sequence: "10",
      },
    },
    trial_completed: {
      ...header("gpu-worker-0"),
      trialCompleted: {
        trial: ref(1),
        final: measurement(1000, 41.25, { "train/loss": 0.0123, "validation/error_rate": 0.031 }),
        target: { reached: true, step: "650", elapsedSeconds: 26.75, value: 0.049 },
        checkpointUri: "file:///tmp/nadir/ckpt/digits-mlp/1/1",
      },
    },
    trial_failed: {
      ...header("gpu-worker-1"),
      trialFailed: {
        trial: ref(2, 2),
        kind: "FAILURE_KIND_DIVERGED",
        message: "loss became NaN at step 37",
        details: "Traceback (most recent call last):\n  ...\nFloatingPointError: nan",
        last: measurement(36, 1.45, { "train/loss": "Infinity", "validation/error_rate": 0.9 }),
        divergence: { step: "37", metric: "train/loss", value: "NaN" },
        errorType: "FloatingPointError",
      },
    },
    trial_stopped: {
      ...header("gpu-worker-0"),
      trialStopped: {
        trial: ref(4),
        reason: "STOP_REASON_PRUNED",
        last: measurement(300, 12, { "validation/error_rate": 0.4 }),
      },
    },
    gradient_histogram: {
      ...header("gpu-worker-0"),
      gradientHistogram: {
        trial: ref(1),
        step: "100",
        quantity: "HISTOGRAM_QUANTITY_GRADIENT_ABS",
        scope: "*",
        binEdges: [-12, -10, -8, -6, -4, -2, 0],
        counts: ["3", "40", "900", "12000", "5000", "57"],
        underflowCount: "2",
        overflowCount: "1",
        zeroCount: "128",
        nonfiniteCount: "0",
        totalCount: "18131",
        minPositive: 3.1e-14,
        maxFinite: 2.5,
      },
    },
    stop_trial: {
      ...header("coordinator"),
      stopTrial: {
        trial: ref(4),
        reason: "STOP_REASON_PRUNED",
        message: "asha: below rung 1 cut (top 1/3 at step 300)",
      },
    },
    drain: { ...header("coordinator"), drain: { reason: "study finished", deadlineMs: 30000 } },
    shutdown: {
      ...header("coordinator"),
      shutdown: { reason: "coordinator stopping", graceful: true, graceMs: 5000 },
    },
    suggest_request: {
      ...header("coordinator"),
      suggestRequest: {
        studyId: "digits-mlp",
        count: 3,
        study: studySpec,
        specFingerprint: "9f2c1e0d5b7a4c3e8f1a6b2d4c9e0f7a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e",
        history: [completedResult, divergedResult],
        pending: [ref(3)],
      },
    },
    suggest_response: {
      ...header("optuna-tpe", "00000000-0000-4000-8000-000000000017"),
      suggestResponse: {
        studyId: "digits-mlp",
        suggestions: [
          {
            parameters: { activation: s("gelu"), hidden_units: i(128), learning_rate: f(0.003) },
            metadata: { optuna_trial: "5" },
          },
          {
            parameters: { activation: s("relu"), hidden_units: i(64), learning_rate: f(0.0007) },
            listIndex: 1,
          },
        ],
        exhausted: false,
        algorithm: "optuna.TPESampler",
      },
    },
    observe_trials: {
      ...header("coordinator"),
      observeTrials: { studyId: "digits-mlp", trials: [completedResult] },
    },
    early_stop_request: {
      ...header("coordinator"),
      earlyStopRequest: {
        studyId: "digits-mlp",
        trials: [
          {
            trial: ref(5),
            state: "TRIAL_STATE_RUNNING",
            measurements: [measurement(100, 4, { "validation/error_rate": 0.5 })],
          },
        ],
      },
    },
    early_stop_response: {
      ...header("optuna-tpe", "00000000-0000-4000-8000-000000000019"),
      earlyStopResponse: {
        studyId: "digits-mlp",
        decisions: [
          { trial: ref(5), shouldStop: true, reason: "median rule: 0.5 > median 0.2 at step 100" },
          { trial: ref(6), shouldStop: false },
        ],
      },
    },
    trial_event: {
      ...header("coordinator"),
      trialEvent: {
        trial: ref(2, 2),
        previousState: "TRIAL_STATE_RUNNING",
        state: "TRIAL_STATE_DIVERGED",
        atUnixMs: "1767225605000",
        workerId: "gpu-worker-1",
        result: divergedResult,
        reason: "loss became NaN at step 37",
      },
    },
    study_progress: {
      ...header("coordinator"),
      studyProgress: {
        studyId: "digits-mlp",
        queued: 10,
        running: 4,
        completed: 3,
        pruned: 1,
        failed: 0,
        preempted: 1,
        diverged: 1,
        bestValue: 0.031,
        bestTrial: ref(1),
        atUnixMs: "1767225650000",
        stopper: goldenStopperDecision(false),
      },
    },
    status_request: { ...header("nadir-cli"), statusRequest: { studyIds: ["digits-mlp"] } },
    status_response: {
      ...header("coordinator", "00000000-0000-4000-8000-000000000023"),
      statusResponse: {
        studies: [
          {
            studyId: "digits-mlp",
            queued: 10,
            running: 4,
            completed: 3,
            bestValue: 0.031,
            bestTrial: ref(1),
          },
        ],
        peers: [
          {
            peerId: "gpu-worker-0",
            role: "worker",
            running: 2,
            capacity: 2,
            lastSeenUnixMs: "1767225649000",
          },
        ],
        agent: "nadir-coordinator/0.1.0",
        uptimeSeconds: 120.5,
      },
    },
    ack: {
      ...header("coordinator", "00000000-0000-4000-8000-000000000009"),
      ack: { status: "ACK_STATUS_DUPLICATE", trial: ref(1), leaseExpiresUnixMs: "1767225620000" },
    },
    error: {
      ...header("coordinator", "00000000-0000-4000-8000-0000000000bb"),
      error: {
        code: "ERROR_CODE_UNKNOWN_TRIAL",
        message: "study digits-mlp has no trial 99",
        trial: { studyId: "digits-mlp", trialId: 99, attempt: 1 },
      },
    },
  };
}

/**
 * A study stopper's decision (StopperDecision): a continue (the fit is cut by the search range) or the
 * stop that ended the study, with the numbers and the fit it rested on.
 */
export function goldenStopperDecision(stop) {
  return stop
    ? {
        studyId: "digits-mlp",
        stop: true,
        reason: "gain-below-threshold",
        message: "stop after 48 trials: 64 more would gain at most 0.0012 at 80% (threshold 0.002)",
        searchTrials: 48,
        studyTrials: 55,
        confidence: 0.8,
        inTrials: 64,
        gainThreshold: 0.002,
        gainBound: 0.0012,
        bestObserved: 0.031,
        bestLower: 0.0295,
        bestUpper: 0.031,
        regimeThreshold: 0.05,
        tailPoints: 17,
        acceptedC: [1, 2, 3],
        atUnixMs: "1767225690000",
      }
    : {
        studyId: "digits-mlp",
        stop: false,
        reason: "set-touches-edge",
        message:
          "continue: the confidence set is cut by the search range, so the gain bound may be too small",
        searchTrials: 16,
        studyTrials: 21,
        confidence: 0.8,
        inTrials: 64,
        gainThreshold: 0.002,
        gainBound: 0,
        bestObserved: 0.04,
        regimeThreshold: 0.07,
        tailPoints: 8,
        acceptedC: [1, 10],
        atUnixMs: "1767225650000",
      };
}

/** The record that ends a study on its stopper's decision (StudyStateChanged.stopper). */
export function goldenStopperRecord() {
  const decision = goldenStopperDecision(true);
  return {
    sequence: "120",
    recordedUnixMs: "1767225700000",
    studyStateChanged: {
      studyId: "digits-mlp",
      state: "STUDY_STATE_COMPLETED",
      reason: decision.message,
      stopper: decision,
    },
  };
}

/** A journal record, to pin the storage format too. */
export function goldenJournalRecord() {
  return {
    sequence: "42",
    recordedUnixMs: "1767225601000",
    trialCreated: {
      trial: ref(1),
      parameters: params1,
      seed: "1234",
      suggester: "list:algoperf-nadamw-5",
      listIndex: 0,
      replicate: 0,
      metadata: { list: "algoperf-nadamw-5" },
    },
  };
}

/**
 * A compaction snapshot record whose finished trials carry replicate numbers (TrialResult.replicate, field
 * 15): the second and third replicates of one list point, so a decoder that drops the field fails.
 */
export function goldenSnapshotRecord() {
  return {
    sequence: "7",
    recordedUnixMs: "1767225700000",
    snapshot: {
      trials: [
        { ...completedResult, trial: ref(2), seed: "1235", replicate: 1 },
        { ...completedResult, trial: ref(3), seed: "1236", replicate: 2 },
      ],
      coversThroughSequence: "6",
      studyStates: [{ studyId: "digits-mlp", state: "STUDY_STATE_ACTIVE" }],
    },
  };
}

function toBase64(u8) {
  return Buffer.from(u8).toString("base64");
}

/** Hostile multipart messages and the error code every decoder must raise (frames without identity). */
export function invalidVectors(valid) {
  const tag = new TextEncoder().encode("nadir.v1");
  const report = valid.trial_report;
  const v2 = v1.Envelope.encode(v1.Envelope.fromObject({ ...report, versionMajor: 2 })).finish();
  // Field 99 (wire type 2, empty): a body member from a newer minor this side does not know.
  const future = new Uint8Array([
    ...v1.Envelope.encode(
      v1.Envelope.fromObject({ versionMajor: 1, versionMinor: 7, messageId: "future" }),
    ).finish(),
    0x9a,
    0x06,
    0x00,
  ]);
  return {
    truncated: {
      description: "a valid trial_report envelope cut to its first 20 bytes",
      frames: [tag, report.__bytes.slice(0, 20)],
      error: "truncated",
    },
    bad_wire_type: {
      description: "field 1 with wire type 7, which does not exist",
      frames: [tag, new Uint8Array([0x0f, 0x01])],
      error: "malformed",
    },
    wrong_tag_version: {
      description: "tag frame of protocol major 2",
      frames: [new TextEncoder().encode("nadir.v2"), report.__bytes],
      error: "version_mismatch",
    },
    wrong_envelope_version: {
      description: "tag says v1 but the envelope says version_major 2",
      frames: [tag, v2],
      error: "version_mismatch",
    },
    not_a_tag: {
      description: "first frame is not a Nadir tag",
      frames: [new TextEncoder().encode("HTTP/1.1"), report.__bytes],
      error: "malformed",
    },
    no_version: {
      description: "an envelope without version_major",
      frames: [tag, new Uint8Array([0x1a, 0x01, 0x78])],
      error: "malformed",
    },
    unknown_body: {
      description: "version 1.7 envelope whose body is field 99, unknown in 1.0",
      frames: [tag, future],
      error: "unknown_body",
    },
    empty_payload: {
      description: "empty envelope frame",
      frames: [tag, new Uint8Array(0)],
      error: "truncated",
    },
    one_frame: { description: "a single frame", frames: [tag], error: "frame_count" },
    huge_length_prefix: {
      description: "hello body whose length prefix claims 2^31 bytes",
      frames: [tag, new Uint8Array([0x08, 0x01, 0x52, 0x80, 0x80, 0x80, 0x80, 0x08, 0x01])],
      error: "truncated",
    },
  };
}

function stable(obj) {
  return `${JSON.stringify(obj, null, 2)}\n`;
}

/** Returns { relativePath: contents (string | Uint8Array) } for every golden file. */
export function goldenFiles() {
  const files = {};
  const envelopes = goldenEnvelopes();
  for (const [kind, json] of Object.entries(envelopes)) {
    const msg = v1.Envelope.fromObject(json);
    const err = v1.Envelope.verify(msg);
    if (err) throw new Error(`golden ${kind}: ${err}`);
    const bytes = v1.Envelope.encode(msg).finish();
    const decoded = v1.Envelope.decode(bytes);
    const camel = kind.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
    if (decoded.body !== camel) throw new Error(`golden ${kind}: body is ${decoded.body}`);
    files[`${kind}.bin`] = bytes;
    files[`${kind}.json`] = stable(v1.Envelope.toObject(decoded, JSON_OPTS));
    json.__bytes = bytes;
  }
  const jr = v1.JournalRecord.encode(v1.JournalRecord.fromObject(goldenJournalRecord())).finish();
  files["journal_record.bin"] = jr;
  files["journal_record.json"] = stable(v1.JournalRecord.toObject(v1.JournalRecord.decode(jr), JSON_OPTS));
  const snap = v1.JournalRecord.encode(v1.JournalRecord.fromObject(goldenSnapshotRecord())).finish();
  files["journal_record_snapshot.bin"] = snap;
  files["journal_record_snapshot.json"] = stable(
    v1.JournalRecord.toObject(v1.JournalRecord.decode(snap), JSON_OPTS),
  );
  const stopper = v1.JournalRecord.encode(v1.JournalRecord.fromObject(goldenStopperRecord())).finish();
  files["journal_record_stopper.bin"] = stopper;
  files["journal_record_stopper.json"] = stable(
    v1.JournalRecord.toObject(v1.JournalRecord.decode(stopper), JSON_OPTS),
  );
  for (const [name, vec] of Object.entries(invalidVectors(envelopes))) {
    files[`invalid/${name}.json`] = stable({
      description: vec.description,
      frames: vec.frames.map(toBase64),
      error: vec.error,
    });
  }
  return files;
}

function sameContents(file, contents) {
  if (!existsSync(file)) return false;
  const have = readFileSync(file);
  const want = typeof contents === "string" ? Buffer.from(contents, "utf8") : Buffer.from(contents);
  return have.equals(want);
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const args = process.argv.slice(2);
  const outIdx = args.indexOf("--out");
  const out = outIdx >= 0 ? path.resolve(args[outIdx + 1]) : path.join(repoRoot, "protocols", "testdata");
  const check = args.includes("--check");
  const files = goldenFiles();
  const stale = [];
  for (const [rel, contents] of Object.entries(files)) {
    const file = path.join(out, rel);
    if (check) {
      if (!sameContents(file, contents)) stale.push(rel);
    } else {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, contents);
    }
  }
  if (check) {
    const known = new Set(Object.keys(files));
    const extra = readdirSync(out).filter((f) => /\.(bin|json)$/.test(f) && !known.has(f));
    if (stale.length || extra.length) {
      console.error(
        `golden: out of date: ${[...stale, ...extra.map((e) => `${e} (not generated)`)].join(", ")}`,
      );
      process.exit(1);
    }
    console.log(`golden: ${Object.keys(files).length} files up to date`);
  } else {
    console.log(`golden: wrote ${Object.keys(files).length} files to ${path.relative(repoRoot, out) || out}`);
  }
}
