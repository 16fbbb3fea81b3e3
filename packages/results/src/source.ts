/**
 * Who proposed a trial. Exports and journals record it as a string (`source`, or `suggester` in older
 * exports); this module gives that string its meaning for the analysis.
 *
 * | recorded                         | kind        | i.i.d. draw of the search space? |
 * |----------------------------------|-------------|----------------------------------|
 * | `random`, `halton`               | as written  | yes                              |
 * | `grid`                           | `grid`      | no: a fixed lattice              |
 * | `list:<name>`                    | `list`      | no: a chosen point               |
 * | `list:<name>>halton` (etc.)      | the fallback sampler's kind, `fallback` set |       |
 * | `external:<algorithm>`           | `external`  | no: adaptive                     |
 * | `imported:<sampler>`             | `imported`  | only for random / QMC samplers   |
 * | `optuna`, `ray`, `vizier`        | `imported`, sampler unknown | unknown          |
 * | empty, `unknown`                 | `unknown`   | assumed (old files)              |
 * | anything else                    | `other`: a plugin suggester's name | no        |
 */

/** The sampler family of a trial's source. */
export type SourceKind =
  | "random"
  | "halton"
  | "grid"
  | "list"
  | "external"
  | "imported"
  | "other"
  | "unknown";

/** A parsed source string. */
export interface SourceInfo {
  kind: SourceKind;
  /** The algorithm: fallback sampler, external algorithm or imported sampler (normalised); null if unknown. */
  sampler: string | null;
  /** The list's name for `list:<name>` and its fallback; null otherwise. */
  list: string | null;
  /** True for a list's fallback sampler (`list:<name>><sampler>`). */
  fallback: boolean;
  /** For `imported`: the system the study came from when the source names it (`optuna`), else null. */
  system: string | null;
}

/** Import systems whose adapters write their own name as the source (sampler not recorded). */
const IMPORT_SYSTEMS = new Set(["optuna", "ray", "vizier"]);

/**
 * Imported samplers whose points are independent draws (pseudo- or quasi-random over the whole space):
 * Optuna's RandomSampler and QMCSampler (Sobol/Halton), Ray Tune's BasicVariantGenerator, Vizier's
 * RANDOM_SEARCH / QUASI_RANDOM_SEARCH.
 */
export const RANDOM_SAMPLERS: ReadonlySet<string> = new Set([
  "random",
  "halton",
  "qmc",
  "sobol",
  "quasi_random",
  "quasi_random_search",
  "random_search",
  "basic_variant",
]);

/**
 * The normalised name of a sampler as users and libraries spell it: lower case, a trailing `Sampler`
 * dropped, `optuna.` prefix dropped (`optuna.samplers.TPESampler` → `tpe`, `RandomSampler` → `random`,
 * `CmaEsSampler` → `cmaes`, `QMCSampler` → `qmc`).
 */
export function normalizeSampler(name: string): string {
  let s = name.trim();
  s = s.replace(/^optuna\.(samplers\.)?/i, "");
  s = s.replace(/Sampler$/i, "");
  return s.toLowerCase().replace(/[\s-]+/g, "_");
}

/** Parses a recorded source string (see the table above). */
export function parseSource(raw: string | null | undefined): SourceInfo {
  const s = (raw ?? "").trim();
  const info = (kind: SourceKind, extra: Partial<SourceInfo> = {}): SourceInfo => ({
    kind,
    sampler: null,
    list: null,
    fallback: false,
    system: null,
    ...extra,
  });
  if (s === "" || s === "unknown") return info("unknown");
  if (s === "random" || s === "halton" || s === "grid") return info(s, { sampler: s });
  if (s.startsWith("list:")) {
    const body = s.slice(5);
    const cut = body.lastIndexOf(">");
    if (cut >= 0) {
      const fb = parseSource(body.slice(cut + 1));
      return { ...fb, list: body.slice(0, cut), fallback: true };
    }
    return info("list", { list: body });
  }
  if (s.startsWith("external:")) return info("external", { sampler: s.slice(9) || null });
  if (s.startsWith("imported:")) {
    const sampler = normalizeSampler(s.slice(9));
    return info("imported", { sampler: sampler === "" || sampler === "unknown" ? null : sampler });
  }
  if (IMPORT_SYSTEMS.has(s.toLowerCase())) return info("imported", { system: s.toLowerCase() });
  return info("other", { sampler: s });
}
