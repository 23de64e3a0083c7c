// MinHash, b-bit estimation and LSH banding against their closed forms: estimate error vs the binomial bound,
// b-bit unbiasedness (Li & König 2010), the S-curve 1-(1-p^r)^b by simulation, the optimal banding.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng, MedtuneError } from "../../src/core/index.ts";
import {
  MinHasher,
  LshIndex,
  MinElementIndex,
  lshParams,
  candidateProbability,
  estimateJaccard,
  estimateJaccardSplit,
  equalLanes,
  signatureWords,
  type BBits,
} from "../../src/data/minhash.ts";
import { WordHashes } from "../../src/data/text-norm.ts";

/** Two random sets of 32-bit values with |A ∩ B| = inter and |A ∪ B| = union (so J = inter/union exactly). */
function pairWithJaccard(rng: Rng, inter: number, union: number): [Uint32Array, Uint32Array] {
  const all = new Set<number>();
  while (all.size < union) all.add(rng.nextU32());
  const vals = [...all];
  const common = vals.slice(0, inter);
  const rest = vals.slice(inter);
  const cut = rng.int(rest.length + 1);
  return [Uint32Array.from([...common, ...rest.slice(0, cut)]), Uint32Array.from([...common, ...rest.slice(cut)])];
}

function sign(h: MinHasher, set: Uint32Array): Uint32Array {
  const out = new Uint32Array(h.wordsPerSig);
  h.signShingles(out, 0, set, set.length);
  return out;
}

for (const bBits of [32, 4] as BBits[]) {
  test(`MinHash estimate error matches the binomial bound (k=64, b=${bBits})`, () => {
    const k = 64;
    const h = new MinHasher({ numPerm: k, bBits, shingleSize: 1, seed: 11 });
    const rng = new Rng(1234);
    const c = Math.pow(2, -bBits);
    let absErr = 0;
    let expectedAbsErr = 0;
    const pairs = 600;
    for (let i = 0; i < pairs; i++) {
      const union = 20 + rng.int(200);
      const inter = rng.int(union + 1);
      const j = inter / union;
      const [a, b] = pairWithJaccard(rng, inter, union);
      const est = estimateJaccard(sign(h, a), 0, sign(h, b), 0, k, bBits);
      absErr += Math.abs(est - j);
      // sd of the (b-bit corrected) estimator: sqrt(P(1-P)/k)/(1-c) with P = c + (1-c)J; E|N(0,s)| = s·sqrt(2/pi)
      const p = c + (1 - c) * j;
      expectedAbsErr += (Math.sqrt((p * (1 - p)) / k) / (1 - c)) * Math.sqrt(2 / Math.PI);
    }
    const mae = absErr / pairs;
    const bound = expectedAbsErr / pairs;
    console.log(`b=${bBits}: mean |Ĵ-J| = ${mae.toFixed(4)}, theory ${bound.toFixed(4)} (ratio ${(mae / bound).toFixed(3)})`);
    // clipping to [0,1] only lowers the error; correlated hash functions would raise it above the bound
    assert.ok(mae <= bound * 1.15, `MAE ${mae} above 1.15x the independent-permutation bound ${bound}`);
    assert.ok(mae >= bound * 0.75, `MAE ${mae} far below the bound ${bound}: the test sets are not what they claim`);
  });
}

test("b-bit estimator is unbiased for b = 1, 2, 4, 8 (collision-corrected)", () => {
  const rng = new Rng(99);
  for (const bBits of [1, 2, 4, 8] as BBits[]) {
    const k = 128;
    let sumErr = 0;
    let sumVar = 0;
    const pairs = 400;
    const c = Math.pow(2, -bBits);
    for (let i = 0; i < pairs; i++) {
      const h = new MinHasher({ numPerm: k, bBits, shingleSize: 1, seed: 1000 + i });
      const union = 50 + rng.int(100);
      const inter = Math.round(union * (0.3 + 0.6 * rng.next()));
      const j = inter / union;
      const [a, b] = pairWithJaccard(rng, inter, union);
      const eq = estimateJaccard(sign(h, a), 0, sign(h, b), 0, k, bBits);
      sumErr += eq - j;
      const p = c + (1 - c) * j;
      sumVar += (p * (1 - p)) / k / ((1 - c) * (1 - c));
    }
    const meanErr = sumErr / pairs;
    const se = Math.sqrt(sumVar) / pairs;
    console.log(`b=${bBits}: mean signed error ${meanErr.toFixed(4)} (standard error ${se.toFixed(4)})`);
    assert.ok(Math.abs(meanErr) < 4 * se + 0.002, `b=${bBits}: bias ${meanErr} exceeds 4 standard errors (${se})`);
  }
});

test("b-bit lanes of disjoint sets still agree 2^-b of the time; the corrected estimate is near 0", () => {
  const h = new MinHasher({ numPerm: 256, bBits: 1, shingleSize: 1, seed: 5 });
  const rng = new Rng(5);
  const [a, b] = pairWithJaccard(rng, 0, 200);
  const sa = sign(h, a);
  const sb = sign(h, b);
  const raw = equalLanes(sa, 0, sb, 0, 0, signatureWords(256, 1), 1) / 256;
  assert.ok(raw > 0.35 && raw < 0.65, `1-bit lanes of disjoint sets agree about half the time, got ${raw}`);
  const est = estimateJaccard(sa, 0, sb, 0, 256, 1);
  assert.ok(est < 0.2, `corrected estimate for disjoint sets should be near 0, got ${est}`);
});

for (const bBits of [32, 4] as BBits[]) {
  test(`LSH candidate probability follows 1-(1-p^r)^b by simulation (b-bit ${bBits})`, () => {
    const numPerm = 64;
    const { bands, rows } = lshParams(0.8, numPerm, bBits);
    const h = new MinHasher({ numPerm, bBits, shingleSize: 1, seed: 77 });
    const rng = new Rng(4321);
    const trials = 300;
    for (const s of [0.4, 0.6, 0.7, 0.8, 0.9]) {
      const lsh = new LshIndex({ numPerm, bBits, bands, rows, expectedItems: 16 });
      const queries: Uint32Array[] = [];
      for (let t = 0; t < trials; t++) {
        const union = 100;
        const [a, b] = pairWithJaccard(rng, Math.round(s * union), union);
        lsh.add(sign(h, a));
        queries.push(sign(h, b));
      }
      let found = 0;
      for (let t = 0; t < trials; t++) {
        const n = lsh.candidates(queries[t]);
        for (let c = 0; c < n; c++) if (lsh.candidateBuf[c] === t) found++;
      }
      const observed = found / trials;
      const expected = candidateProbability(s, bands, rows, bBits);
      const tol = 4 * Math.sqrt((expected * (1 - expected)) / trials) + 0.01;
      console.log(`b=${bBits} ${bands}x${rows} s=${s}: observed ${observed.toFixed(3)}, expected ${expected.toFixed(3)}`);
      assert.ok(Math.abs(observed - expected) <= tol, `s=${s}: observed ${observed} vs 1-(1-p^r)^b = ${expected} (tol ${tol})`);
    }
  });
}

test("lshParams minimizes the weighted FP + FN mass over every banding (independent quadrature)", () => {
  for (const [threshold, numPerm, bBits] of [
    [0.8, 64, 4],
    [0.5, 128, 32],
    [0.9, 32, 8],
  ] as Array<[number, number, BBits]>) {
    const chosen = lshParams(threshold, numPerm, bBits);
    assert.ok(chosen.bands * chosen.rows <= numPerm);
    // trapezoid rule with 400 steps: a different integrator than the implementation's Simpson
    const integ = (f: (s: number) => number, a: number, b: number) => {
      const n = 400;
      const hh = (b - a) / n;
      let sum = (f(a) + f(b)) / 2;
      for (let i = 1; i < n; i++) sum += f(a + i * hh);
      return sum * hh;
    };
    const err = (b: number, r: number) =>
      0.2 * integ((s) => candidateProbability(s, b, r, bBits), 0, threshold) + 0.8 * integ((s) => 1 - candidateProbability(s, b, r, bBits), threshold, 1);
    const mine = err(chosen.bands, chosen.rows);
    for (let b = 1; b <= numPerm; b++) {
      for (let r = 1; r * b <= numPerm; r++) assert.ok(mine <= err(b, r) + 1e-4, `${b}x${r} beats the chosen ${chosen.bands}x${chosen.rows} at t=${threshold}`);
    }
    console.log(`t=${threshold} k=${numPerm} b=${bBits}: ${chosen.bands} bands x ${chosen.rows} rows, P(candidate | J=t) = ${candidateProbability(threshold, chosen.bands, chosen.rows, bBits).toFixed(3)}`);
  }
});

test("signatures are deterministic per seed and differ across seeds", () => {
  const words = new WordHashes().fill("A 45-year-old man presents with crushing chest pain radiating to the left arm.");
  const sigOf = (seed: number) => {
    const h = new MinHasher({ numPerm: 64, bBits: 4, shingleSize: 3, seed });
    const out = new Uint32Array(h.wordsPerSig);
    h.signWords(out, 0, words.hashes, words.length);
    return Array.from(out);
  };
  assert.deepEqual(sigOf(3), sigOf(3));
  assert.notDeepEqual(sigOf(3), sigOf(4));
});

test("texts shorter than the shingle size become one shingle; identical ones estimate 1, different ones ~0", () => {
  const h = new MinHasher({ numPerm: 64, bBits: 8, shingleSize: 3, seed: 1 });
  const w = new WordHashes();
  const sigOf = (t: string) => {
    w.fill(t);
    const out = new Uint32Array(h.wordsPerSig);
    assert.equal(h.signWords(out, 0, w.hashes, w.length), 1, `"${t}" should be one shingle`);
    return out;
  };
  assert.equal(estimateJaccard(sigOf("Define anemia"), 0, sigOf("define ANEMIA!"), 0, 64, 8), 1);
  assert.ok(estimateJaccard(sigOf("Define anemia"), 0, sigOf("Define anaemia"), 0, 64, 8) < 0.1);
});

test("split signatures estimate each part on its own: min(J_prompt, J_payload)", () => {
  const h = new MinHasher({ numPerm: 64, bBits: 32, shingleSize: 1, seed: 8 });
  const rng = new Rng(8);
  const [qa, qb] = pairWithJaccard(rng, 30, 100); // prompts J = 0.3
  const [pa, pb] = pairWithJaccard(rng, 100, 100); // identical payloads
  const sigOf = (q: Uint32Array, p: Uint32Array) => {
    const words = Uint32Array.from([...q, ...p]);
    const out = new Uint32Array(h.wordsPerSig);
    h.signWordsSplit(out, 0, words, q.length, words.length);
    return out;
  };
  const a = sigOf(qa, pa);
  const b = sigOf(qb, pb);
  const whole = estimateJaccard(a, 0, b, 0, 64, 32);
  const split = estimateJaccardSplit(a, 0, b, 0, 64, 32);
  assert.ok(whole > 0.5, `lane average mixes both parts: ${whole}`);
  assert.ok(split < 0.55, `min over parts follows the prompt's J = 0.3: ${split}`);
});

test("LshIndex keeps every item findable across growth and rebuilds", () => {
  const h = new MinHasher({ numPerm: 64, bBits: 4, shingleSize: 1, seed: 2 });
  const { bands, rows } = lshParams(0.8, 64, 4);
  const lsh = new LshIndex({ numPerm: 64, bBits: 4, bands, rows, expectedItems: 16 });
  const rng = new Rng(2);
  const sigs: Uint32Array[] = [];
  for (let i = 0; i < 5000; i++) {
    const set = new Uint32Array(30);
    for (let j = 0; j < 30; j++) set[j] = rng.nextU32();
    sigs.push(sign(h, set));
    assert.equal(lsh.add(sigs[i]), i);
  }
  assert.equal(lsh.size, 5000);
  let spurious = 0;
  for (let i = 0; i < 5000; i++) {
    const n = lsh.candidates(sigs[i]);
    const found = Array.from(lsh.candidateBuf.subarray(0, n));
    assert.ok(found.includes(i), `item ${i} not found by its own signature`);
    spurious += n - 1;
    assert.equal(lsh.similarity(sigs[i], 0, i), 1);
  }
  assert.ok(spurious < 50, `random sets should rarely share a 9-row band: ${spurious} spurious candidates`);
  assert.equal(lsh.signatures().length >= 5000 * signatureWords(64, 4), true);
});

test("bad shapes and options are rejected with a config error", () => {
  assert.throws(() => new MinHasher({ numPerm: 60, bBits: 4, shingleSize: 3, seed: 0 }), (e: unknown) => e instanceof MedtuneError && e.code === "config.invalid" && /multiple of 16/.test(e.message));
  assert.throws(() => new MinHasher({ numPerm: 64, bBits: 3 as BBits, shingleSize: 3, seed: 0 }), MedtuneError);
  assert.throws(() => new MinHasher({ numPerm: 64, bBits: 4, shingleSize: 0, seed: 0 }), /shingleSize/);
  assert.throws(() => new LshIndex({ numPerm: 64, bBits: 4, bands: 9, rows: 9 }), /bands·rows <= numPerm/);
});

test("the WebAssembly SIMD kernel signs exactly as the portable loop, at every shape and set size", () => {
  const rng = new Rng(17);
  let compared = 0;
  for (const [numPerm, bBits] of [[64, 4], [64, 32], [128, 8], [48, 4], [20, 32], [2, 32]] as Array<[number, BBits]>) {
    const simd = new MinHasher({ numPerm, bBits, shingleSize: 3, seed: 9 });
    const plain = new MinHasher({ numPerm, bBits, shingleSize: 3, seed: 9, simd: false });
    for (let t = 0; t < 60; t++) {
      const n = t < 4 ? t : t < 58 ? rng.int(500) : 30_000 + rng.int(30_000); // the largest grow the kernel's memory
      const words = new Uint32Array(n);
      for (let i = 0; i < n; i++) words[i] = rng.nextU32();
      const a = new Uint32Array(simd.wordsPerSig);
      const b = new Uint32Array(plain.wordsPerSig);
      const nA = rng.int(n + 1);
      assert.equal(simd.signWordsSplit(a, 0, words, nA, n), plain.signWordsSplit(b, 0, words, nA, n));
      assert.deepEqual(a, b, `numPerm ${numPerm}, bBits ${bBits}, ${nA}+${n - nA} words`);
      simd.signShingles(a, 0, words, n); // a set that is not in the kernel's memory yet
      plain.signShingles(b, 0, words, n);
      assert.deepEqual(a, b);
      compared += 2;
    }
  }
  assert.equal(compared, 720);
});

test("minElements: the element of each lane alone signs that lane as the whole set does", () => {
  const h = new MinHasher({ numPerm: 64, bBits: 32, shingleSize: 1, seed: 4 });
  const rng = new Rng(4);
  for (const n of [1, 7, 300]) {
    const set = new Uint32Array(n);
    for (let i = 0; i < n; i++) set[i] = rng.nextU32();
    const whole = sign(h, set);
    const elements = new Uint32Array(64);
    h.minElements(elements, 0);
    for (let p = 0; p < 64; p++) {
      assert.ok(set.includes(elements[p]), `lane ${p}: its element is in the set`);
      assert.equal(sign(h, Uint32Array.of(elements[p]))[p], whole[p], `lane ${p}`);
    }
  }
  const empty = sign(h, new Uint32Array(0)); // no element: the preimage of the INT32_MAX an empty set holds
  const elements = new Uint32Array(64);
  h.minElements(elements, 0);
  for (let p = 0; p < 64; p++) assert.equal(sign(h, Uint32Array.of(elements[p]))[p], empty[p]);
});

test("MinElementIndex never rules out a set a stored signature agrees with in `lanes` lanes, and rules out the rest mostly", () => {
  const k = 64;
  const lanes = 52; // Ĵ >= 0.8 at k = 64, 32 bits
  const h = new MinHasher({ numPerm: k, bBits: 32, shingleSize: 1, seed: 6 });
  const rng = new Rng(6);
  const universe = Array.from({ length: 3000 }, () => rng.nextU32());
  const pick = (n: number) => Uint32Array.from({ length: n }, () => universe[rng.int(universe.length)]);
  const index = new MinElementIndex(k, lanes);
  const sets: Uint32Array[] = [];
  const stored: Uint32Array[] = [];
  const elements = new Uint32Array(k);
  for (let e = 0; e < 300; e++) {
    sets.push(pick(5 + rng.int(80)));
    stored.push(sign(h, sets[e]));
    h.minElements(elements, 0);
    assert.equal(index.add(elements, 0), e);
  }
  let reachable = 0;
  let ruledOut = 0;
  const nQueries = 1200;
  for (let q = 0; q < nQueries; q++) {
    // a near copy of a stored set (most elements kept, a few swapped), or a random set
    const query = q % 3 === 0 ? sets[rng.int(sets.length)].map((x) => (rng.next() < 0.1 ? universe[rng.int(universe.length)] : x)) : pick(1 + rng.int(120));
    const sig = sign(h, query);
    let best = 0;
    for (const s of stored) best = Math.max(best, equalLanes(sig, 0, s, 0, 0, k, 32));
    const may = index.mayReach(query, query.length, Infinity);
    if (best >= lanes) {
      reachable++;
      assert.ok(may, `query ${q} agrees in ${best} lanes but was ruled out`);
    } else if (!may) ruledOut++;
  }
  console.log(`MinElementIndex: ${reachable} reachable queries kept, ${ruledOut} of ${nQueries - reachable} others ruled out`);
  assert.ok(reachable > 100, `near copies should reach: ${reachable}`);
  assert.ok(ruledOut > 0.75 * (nQueries - reachable), `the filter should rule most others out: ${ruledOut}`);
});
