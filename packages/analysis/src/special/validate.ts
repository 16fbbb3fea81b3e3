/** Small argument checks shared by the special functions. */
import { InvalidArgumentError } from "./errors.js";

/** A sample size: an integer ≥ 1. */
export function checkFiniteN(n: number): void {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`n must be an integer ≥ 1, got ${n}`, { path: "n" });
}
