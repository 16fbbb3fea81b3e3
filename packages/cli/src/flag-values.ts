/**
 * Parsers of numeric flag values for the commands that share them (`nadir run`, `nadir serve` and the
 * study stopper's flags): each takes the text commander hands over and returns the number, or throws a
 * usage error (exit 2) that names the flag and quotes the value.
 */
import { usage } from "./errors.js";

/** An integer ≥ `min`, or undefined when the flag was not given. */
export function intFlag(flag: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!(v.trim() !== "" && Number.isInteger(x) && x >= min))
    throw usage(`${flag} must be an integer >= ${min}, got ${JSON.stringify(v)}`, flag);
  return x;
}

/** A finite number, or undefined when the flag was not given. */
export function finiteFlag(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === "" || !Number.isFinite(x))
    throw usage(`${flag} must be a finite number, got ${JSON.stringify(v)}`, flag);
  return x;
}

/** A finite number > 0 (the flag is given). */
export function positiveFlag(flag: string, v: string): number {
  const x = finiteFlag(flag, v) as number;
  if (!(x > 0)) throw usage(`${flag} must be a number > 0, got ${JSON.stringify(v)}`, flag);
  return x;
}

/** A confidence level in (0, 1) (the flag is given; it has a default). */
export function confidenceFlag(flag: string, v: string): number {
  const x = Number(v);
  if (!(v.trim() !== "" && x > 0 && x < 1))
    throw usage(`${flag} must be in (0, 1), got ${JSON.stringify(v)}`, flag);
  return x;
}
