/**
 * Seeded deterministic pseudo-random numbers for sampling and for the fit's optimizer.
 *
 * Generator: xoshiro128** (Blackman & Vigna, "Scrambled linear pseudorandom number generators",
 * ACM TOMS 2021), 128-bit state, period 2¹²⁸ − 1, state seeded from a 32-bit integer seed by
 * splitmix32 (so nearby seeds give unrelated streams). `next()` returns a double in [0, 1) built
 * from 53 random bits (two outputs). Pure 32-bit integer arithmetic, so the stream is identical
 * on every JavaScript engine. Not cryptographic.
 */
import { InvalidArgumentError } from "../special/errors.js";

/** A source of uniform doubles (createRng gives the seeded xoshiro128** one). */
export interface Rng {
  /** Uniform double in [0, 1). */
  next(): number;
}

/** Create a xoshiro128** generator from an integer seed (any safe integer; reduced mod 2³²). */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed))
    throw new InvalidArgumentError(`createRng: seed must be a safe integer, got ${seed}`);
  let sm = (seed >>> 0) ^ Math.floor(seed / 2 ** 32);
  const splitmix32 = (): number => {
    sm = (sm + 0x9e3779b9) | 0;
    let z = sm;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let s0 = splitmix32();
  let s1 = splitmix32();
  let s2 = splitmix32();
  let s3 = splitmix32();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1; // the all-zero state is a fixed point
  const next32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };
  return {
    next(): number {
      const hi = next32() >>> 5; // 27 bits
      const lo = next32() >>> 6; // 26 bits
      return (hi * 67108864 + lo) / 9007199254740992;
    },
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Either an Rng or an integer seed for a fresh one. */
export type RngLike = Rng | number;

/** Resolve an RngLike to an Rng. */
export function toRng(g: RngLike): Rng {
  return typeof g === "number" ? createRng(g) : g;
}
