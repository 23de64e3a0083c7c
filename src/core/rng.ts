// Seeded random numbers: xoshiro128** (Blackman & Vigna) seeded through splitmix32, with a savable state,
// so shuffles, splits, dropout and sampling are reproducible from one integer seed.

/** Hashes a string to a 32-bit seed (FNV-1a), for deriving sub-seeds by name. */
export function seedFromString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A seeded generator; `state()`/`setState()` let checkpoints resume the exact stream. */
export class Rng {
  private s = new Uint32Array(4);
  private spare: number | null = null;
  constructor(seed: number | string = 0) {
    const st = { s: typeof seed === "string" ? seedFromString(seed) : seed >>> 0 };
    for (let i = 0; i < 4; i++) this.s[i] = splitmix32(st);
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }
  /** Next unsigned 32-bit integer. */
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }
  /** Uniform float in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextU32() >>> 5;
    const lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Standard normal (Box-Muller, caching the second value). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
  /** Shuffles an array in place (Fisher-Yates) and returns it. */
  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
  /** The full generator state, for checkpoints. */
  state(): number[] {
    return [...this.s, this.spare === null ? NaN : this.spare];
  }
  /** Restores a state from `state()`. */
  setState(st: number[]): void {
    for (let i = 0; i < 4; i++) this.s[i] = st[i] >>> 0;
    this.spare = st.length > 4 && !Number.isNaN(st[4]) ? st[4] : null;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
