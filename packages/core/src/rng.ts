/**
 * numpy's legacy `RandomState` (MT19937) pieces needed to reproduce AlgoPerf's Halton sequence bit for
 * bit, and to give every sampler a seeded, platform-independent stream.
 *
 * Reference: Matsumoto & Nishimura 1998, "Mersenne Twister: a 623-dimensionally equidistributed uniform
 * pseudo-random number generator", ACM TOMACS 8(1); numpy `randomkit`/`legacy` distributions. Only 32-bit integer arithmetic is used (`Math.imul`, `>>> 0`),
 * so results are identical on every platform.
 */
import { requireInt } from "./errors.js";

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** A seeded MT19937 stream with numpy-legacy `RandomState` semantics. */
export class RandomState {
  private readonly mt = new Uint32Array(N);
  private mti = N;

  /**
   * Seeds like `numpy.random.RandomState(seed)` with an integer seed (init_genrand):
   * mt[0] = seed mod 2^32, mt[i] = (1812433253·(mt[i−1] ^ (mt[i−1] >>> 30)) + i) mod 2^32.
   */
  constructor(seed: number) {
    requireInt("seed", seed, 0, 0xffffffff);
    this.mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = this.mt[i - 1] as number;
      this.mt[i] = (Math.imul(1812433253, (prev ^ (prev >>> 30)) >>> 0) + i) >>> 0;
    }
    this.mti = N;
  }

  /** Next tempered 32-bit output of MT19937 (genrand_int32). */
  nextU32(): number {
    const mt = this.mt;
    if (this.mti >= N) {
      let kk = 0;
      for (; kk < N - M; kk++) {
        const y = ((mt[kk] as number) & UPPER_MASK) | ((mt[kk + 1] as number) & LOWER_MASK);
        mt[kk] = (mt[kk + M] as number) ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      for (; kk < N - 1; kk++) {
        const y = ((mt[kk] as number) & UPPER_MASK) | ((mt[kk + 1] as number) & LOWER_MASK);
        mt[kk] = (mt[kk + (M - N)] as number) ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      const y = ((mt[N - 1] as number) & UPPER_MASK) | ((mt[0] as number) & LOWER_MASK);
      mt[N - 1] = (mt[M - 1] as number) ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      this.mti = 0;
    }
    let y = mt[this.mti++] as number;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /**
   * `random_sample()`: a 53-bit double in [0, 1): (a·2^26 + b)/2^53 with a = u32 >>> 5, b = u32 >>> 6.
   */
  randomSample(): number {
    const a = this.nextU32() >>> 5;
    const b = this.nextU32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /**
   * Legacy bounded integer in [0, max] (`random_interval`): mask = max with all lower bits set; draw
   * u32 & mask until the result is ≤ max. max = 0 returns 0 without drawing.
   */
  interval(max: number): number {
    if (max === 0) return 0;
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    let value: number;
    do {
      value = (this.nextU32() & mask) >>> 0;
    } while (value > max);
    return value;
  }

  /** In-place legacy `shuffle`: for i = n−1 down to 1, j = interval(i), swap a[i] and a[j]. */
  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i >= 1; i--) {
      const j = this.interval(i);
      const t = a[i] as T;
      a[i] = a[j] as T;
      a[j] = t;
    }
    return a;
  }
}
