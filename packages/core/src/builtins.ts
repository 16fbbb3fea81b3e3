/**
 * Named, versioned built-in hyperparameter lists and search spaces, with provenance.
 * Every digit is copied from the sources named in `provenance` (the paper's table or the AlgoPerf file at a
 * pinned commit).
 */
import { NotFoundError } from "./errors.js";
import type { NadamwVariant } from "./materialize.js";
import type { SearchSpace } from "./space.js";

/** One point of a NAdamW list, in materialised form (β, not 1 − β). */
export interface NadamwListPoint {
  /** 1-based priority order within the list. */
  id: number;
  learning_rate: number;
  beta1: number;
  beta2: number;
  weight_decay: number;
  /** Warmup steps = floor(warmup_fraction · S). */
  warmup_fraction: number;
  dropout_rate: number;
  label_smoothing: number;
  /** What the point is, if known (e.g. which workload's target-setting point it equals). */
  note?: string;
}

/** A named, versioned, ordered list. */
export interface NadamwList {
  name: string;
  version: number;
  title: string;
  /** Update rule the list was tuned with; {@link materialize} defaults to it. */
  variant: NadamwVariant;
  provenance: string;
  points: NadamwListPoint[];
}

/** A named, versioned search space. */
export interface NamedSpace {
  name: string;
  version: number;
  title: string;
  provenance: string;
  /** Fixed parts of the recipe that are not sampled (schedule shape etc.). */
  fixed: Record<string, string>;
  space: SearchSpace;
}

const MEDAPATI_2025: NadamwList = {
  name: "medapati2025-nadamw",
  version: 1,
  title: "Medapati et al. 2025, final 5-point NAdamW list (Table 10), priority order",
  variant: "optax",
  provenance:
    "Medapati, Kasimbeg, Krishnan, Agarwal, Dahl: 'Training neural networks faster with minimal tuning using pre-computed lists of hyperparameters for NAdamW', arXiv:2503.03986, Table 10 (built greedily, tau = 2, on the 8 AlgoPerf base workloads; update rule: optax NAdamW).",
  points: [
    {
      id: 1,
      learning_rate: 0.007188680089024849,
      warmup_fraction: 0.1,
      beta1: 0.9521079797438937,
      beta2: 0.9545645606521953,
      weight_decay: 0.020932289532959312,
      dropout_rate: 0.0,
      label_smoothing: 0.2,
    },
    {
      id: 2,
      learning_rate: 0.0011719210768906827,
      warmup_fraction: 0.02,
      beta1: 0.9641782560318817,
      beta2: 0.9953311727740848,
      weight_decay: 0.15957548811577366,
      dropout_rate: 0.1,
      label_smoothing: 0.0,
    },
    {
      id: 3,
      learning_rate: 0.001183374563441696,
      warmup_fraction: 0.02,
      beta1: 0.918959806679234,
      beta2: 0.9941923836947718,
      weight_decay: 0.028400661323288435,
      dropout_rate: 0.1,
      label_smoothing: 0.1,
    },
    {
      id: 4,
      learning_rate: 0.0014515212275017363,
      warmup_fraction: 0.1,
      beta1: 0.9600296609757403,
      beta2: 0.889423091749684,
      weight_decay: 0.031808785805059143,
      dropout_rate: 0.0,
      label_smoothing: 0.2,
    },
    {
      id: 5,
      learning_rate: 0.0005102205206215031,
      warmup_fraction: 0.05,
      beta1: 0.9120180064671332,
      beta2: 0.9597041640569521,
      weight_decay: 0.04833675039698776,
      dropout_rate: 0.1,
      label_smoothing: 0.0,
    },
  ],
};

// AlgoPerf stores 1 − β1 (`one_minus_beta1`); β1 = 1 − that value, computed here in doubles.
const ALGOPERF_BASELINE: NadamwList = {
  name: "algoperf-v0.5-nadamw-baseline",
  version: 1,
  title: "AlgoPerf v0.5 external-tuning NAdamW baseline, 5-point list",
  variant: "algoperf",
  provenance:
    "mlcommons/algorithmic-efficiency @ 2c90454fc05d5bdf3598b0c7651e611f132a7060, algorithms/baselines/external_tuning/tuning_search_space.json (same values at tag v0.5.0 under prize_qualification_baselines/); fields one_minus_beta1 → beta1 = 1 − value, warmup_factor → warmup_fraction. Update rule: AlgoPerf/init2winit NAdamW (jax_nadamw_full_budget.py).",
  points: [
    {
      id: 1,
      learning_rate: 0.001308209823469072,
      beta1: 1 - 0.02686663061,
      beta2: 0.9981232922116359,
      weight_decay: 0.16375311233774334,
      warmup_fraction: 0.1,
      label_smoothing: 0.1,
      dropout_rate: 0.0,
      note: "best target-setting point of librispeech_deepspeech_norm_and_spec_aug",
    },
    {
      id: 2,
      learning_rate: 0.0008445074561975979,
      beta1: 1 - 0.11042418465,
      beta2: 0.9978504782314613,
      weight_decay: 0.08135402759553023,
      warmup_fraction: 0.05,
      label_smoothing: 0.2,
      dropout_rate: 0.0,
      note: "imagenet_vit target-setting point",
    },
    {
      id: 3,
      learning_rate: 0.001308209823469072,
      beta1: 1 - 0.02686663061,
      beta2: 0.9981232922116359,
      weight_decay: 0.16375311233774334,
      warmup_fraction: 0.1,
      label_smoothing: 0.0,
      dropout_rate: 0.0,
      note: "point 1 with label_smoothing 0",
    },
    {
      id: 4,
      learning_rate: 0.004958460849689891,
      beta1: 1 - 0.13625575743,
      beta2: 0.6291854735396584,
      weight_decay: 0.1147386261512052,
      warmup_fraction: 0.02,
      label_smoothing: 0.0,
      dropout_rate: 0.0,
      note: "librispeech_deepspeech target-setting point",
    },
    {
      id: 5,
      learning_rate: 0.0017486387539278373,
      beta1: 1 - 0.06733926164,
      beta2: 0.9955159689799007,
      weight_decay: 0.08121616522670176,
      warmup_fraction: 0.02,
      label_smoothing: 0.0,
      dropout_rate: 0.1,
      note: "wmt target-setting point",
    },
  ],
};

const MEDAPATI_BROAD: NamedSpace = {
  name: "medapati2025-broad",
  version: 1,
  title: "Medapati et al. 2025 broad NAdamW search space (Table 1), sampled with quasi-random search",
  provenance: "arXiv:2503.03986 Table 1 (200 quasi-random points reused on every workload).",
  fixed: {
    schedule: "linear warmup from 0 to the base LR over warmup_fraction·S steps, then cosine decay to 0 at S",
    update_rule: "optax nadamw (bias-corrected)",
  },
  space: {
    parameters: [
      {
        name: "learning_rate",
        domain: { kind: "float", min: 1e-4, max: 1e-2, scale: "log" },
        transform: "identity",
      },
      {
        name: "one_minus_beta1",
        domain: { kind: "float", min: 1e-3, max: 0.2, scale: "log" },
        transform: "one_minus",
        materializedName: "beta1",
      },
      {
        name: "one_minus_beta2",
        domain: { kind: "float", min: 1e-3, max: 0.2, scale: "log" },
        transform: "one_minus",
        materializedName: "beta2",
      },
      {
        name: "warmup_fraction",
        domain: { kind: "discrete", values: [0.02, 0.05, 0.1] },
        transform: "identity",
      },
      {
        name: "weight_decay",
        domain: { kind: "float", min: 1e-4, max: 0.5, scale: "log" },
        transform: "identity",
      },
      {
        name: "label_smoothing",
        domain: { kind: "discrete", values: [0.0, 0.1, 0.2] },
        transform: "identity",
      },
      { name: "dropout_rate", domain: { kind: "discrete", values: [0.0, 0.1] }, transform: "identity" },
    ],
  },
};

const ALGOPERF_ARCHIVED: NamedSpace = {
  name: "algoperf-archived-nadamw",
  version: 1,
  title: "AlgoPerf archived NAdamW paper-baseline search space (Dahl et al. 2023)",
  provenance:
    "mlcommons/algorithmic-efficiency @ 2c90454f, algorithms/archived_paper_baselines/nadamw/tuning_search_space.json. Key order as in the file (it fixes the Halton bases).",
  fixed: { schedule: "AlgoPerf warmup + cosine (warmup_factor·step_hint)", update_rule: "AlgoPerf NAdamW" },
  space: {
    parameters: [
      {
        name: "learning_rate",
        domain: { kind: "float", min: 1e-4, max: 1e-2, scale: "log" },
        transform: "identity",
      },
      {
        name: "one_minus_beta1",
        domain: { kind: "float", min: 4e-3, max: 0.1, scale: "log" },
        transform: "one_minus",
        materializedName: "beta1",
      },
      { name: "beta2", domain: { kind: "discrete", values: [0.999] }, transform: "identity" },
      {
        name: "warmup_factor",
        domain: { kind: "discrete", values: [0.05] },
        transform: "identity",
        materializedName: "warmup_fraction",
      },
      {
        name: "weight_decay",
        domain: { kind: "float", min: 5e-3, max: 1.0, scale: "log" },
        transform: "identity",
      },
      { name: "label_smoothing", domain: { kind: "discrete", values: [0.1, 0.2] }, transform: "identity" },
      { name: "dropout_rate", domain: { kind: "discrete", values: [0.0, 0.1] }, transform: "identity" },
    ],
  },
};

const LISTS: NadamwList[] = [MEDAPATI_2025, ALGOPERF_BASELINE];
const SPACES: NamedSpace[] = [MEDAPATI_BROAD, ALGOPERF_ARCHIVED];

function resolve<T extends { name: string; version: number }>(items: T[], ref: string, what: string): T {
  const [name, v] = ref.split("@");
  const matches = items.filter((x) => x.name === name);
  if (matches.length === 0) {
    throw new NotFoundError(
      what,
      `no built-in ${what} named ${JSON.stringify(name)}; available: ${items.map((x) => `${x.name}@${x.version}`).join(", ")}`,
    );
  }
  if (v === undefined) return matches.reduce((a, b) => (b.version > a.version ? b : a));
  const hit = matches.find((x) => String(x.version) === v);
  if (!hit)
    throw new NotFoundError(
      what,
      `${name} has no version ${v}; available: ${matches.map((x) => x.version).join(", ")}`,
    );
  return hit;
}

/** The built-in lists, as `name@version` strings. */
export function listNames(): string[] {
  return LISTS.map((l) => `${l.name}@${l.version}`);
}
/** The built-in spaces, as `name@version` strings. */
export function spaceNames(): string[] {
  return SPACES.map((s) => `${s.name}@${s.version}`);
}
/**
 * Short names for the built-in lists, as study files use them (`suggester.list`); the CLI, the
 * coordinator and the adapters all resolve them here, so one name means one list everywhere.
 */
export const LIST_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  "algoperf-nadamw-5": "algoperf-v0.5-nadamw-baseline@1",
  "medapati-nadamw-5": "medapati2025-nadamw@1",
});

/**
 * A built-in list by `name` (latest version), `name@version` or a short alias ({@link LIST_ALIASES});
 * a deep copy, so callers may modify it.
 */
export function getList(ref: string): NadamwList {
  return structuredClone(resolve(LISTS, LIST_ALIASES[ref] ?? ref, "list"));
}
/** A built-in search space by `name` or `name@version`; a deep copy. */
export function getSpace(ref: string): NamedSpace {
  return structuredClone(resolve(SPACES, ref, "space"));
}
