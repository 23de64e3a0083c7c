// Every GEMM implementation this machine has (system BLAS, each SIMD variant of our kernel, the TypeScript
// reference) against a float64 triple loop: all four transpose combinations, odd and tiny shapes, padded
// strides, subarray views with offsets, alpha/beta variants, and argument checks that throw before any access.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/index.ts";
import {
  availableKernels, gemmRef, nativeInfo, nativeLoadError, nativeSimdVariants, type FloatArray, type Kernels,
} from "../../src/tensor/index.ts";

const impls: Kernels[] = [...availableKernels(), ...nativeSimdVariants()];

interface Case {
  label: string;
  transA: boolean; transB: boolean; M: number; N: number; K: number; alpha: number; beta: number;
  lda: number; ldb: number; ldc: number;
  offA: number; offB: number; offC: number; // view offsets into the backing arrays
  A: Float64Array; B: Float64Array; C0: Float64Array; // backing contents (views start at off*)
  want: Float64Array; // expected backing contents of C after the call
  scale: Float64Array; // per element of C: |alpha|·Σ|a·b| + |beta·c0|, the size rounding errors scale with
}

const SENTINEL = 1234.5; // padding and out-of-view memory must keep this value

// The reference: a float64 triple loop over the exact values the kernels see.
function makeCase(rng: Rng, transA: boolean, transB: boolean, M: number, N: number, K: number,
  alpha: number, beta: number, layout: "tight" | "padded" | "view"): Case {
  const pad = layout === "tight" ? 0 : 3;
  const rowsA = transA ? K : M, colsA = transA ? M : K, rowsB = transB ? N : K, colsB = transB ? K : N;
  const lda = Math.max(1, colsA + pad), ldb = Math.max(1, colsB + (pad ? 1 : 0)), ldc = Math.max(1, N + pad);
  const off = layout === "view" ? [5, 2, 7] : [0, 0, 0];
  const tail = layout === "view" ? 4 : 0;
  const matrix = (off: number, rows: number, cols: number, ld: number) => {
    const a = new Float64Array(off + (rows === 0 ? 0 : (rows - 1) * ld + cols) + tail).fill(SENTINEL);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) a[off + r * ld + c] = Math.fround(rng.next() * 2 - 1);
    return a;
  };
  const A = matrix(off[0], rowsA, colsA, lda), B = matrix(off[1], rowsB, colsB, ldb), C0 = matrix(off[2], M, N, ldc);
  const want = Float64Array.from(C0), scale = new Float64Array(C0.length);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0, abs = 0;
      for (let k = 0; k < K; k++) {
        const a = transA ? A[off[0] + k * lda + i] : A[off[0] + i * lda + k];
        const b = transB ? B[off[1] + j * ldb + k] : B[off[1] + k * ldb + j];
        s += a * b;
        abs += Math.abs(a * b);
      }
      const c = off[2] + i * ldc + j;
      want[c] = alpha * s + (beta === 0 ? 0 : beta * C0[c]);
      scale[c] = Math.abs(alpha) * abs + Math.abs(beta * C0[c]);
    }
  }
  const label = `${transA ? "T" : "N"}${transB ? "T" : "N"} ${M}x${N}x${K} alpha=${alpha} beta=${beta} ${layout}`;
  return { label, transA, transB, M, N, K, alpha, beta, lda, ldb, ldc, offA: off[0], offB: off[1], offC: off[2], A, B, C0, want, scale };
}

let cases: Case[] | null = null;
function allCases(): Case[] {
  if (cases) return cases;
  const rng = new Rng(20240611);
  const shapes = [[1, 1, 1], [1, 1, 37], [1, 300, 50], [300, 1, 50], [7, 13, 5], [13, 7, 1], [64, 96, 33], [257, 129, 65], [3, 4, 0]];
  const ab: [number, number][] = [[1, 0], [1.5, 0.5], [-0.75, 1], [1, -2]];
  const layouts = ["tight", "padded", "view"] as const;
  cases = [];
  for (const transA of [false, true]) for (const transB of [false, true]) for (const [M, N, K] of shapes) {
    ab.forEach(([alpha, beta], i) => cases!.push(makeCase(rng, transA, transB, M, N, K, alpha, beta, layouts[(i + M) % 3])));
  }
  return cases;
}

// Runs one case on a fresh copy of C in the given float type; returns the backing array of C.
function run(k: Kernels, c: Case, type: Float32ArrayConstructor | Float64ArrayConstructor): FloatArray {
  const A = type.from(c.A), B = type.from(c.B), C = type.from(c.C0);
  k.gemm(c.transA, c.transB, c.M, c.N, c.K, c.alpha, A.subarray(c.offA), c.lda, B.subarray(c.offB), c.ldb,
    c.beta, C.subarray(c.offC), c.ldc);
  return C;
}

function assertClose(name: string, c: Case, got: FloatArray, relTol: number): void {
  let worst = 0;
  for (let e = 0; e < got.length; e++) {
    const err = Math.abs(got[e] - c.want[e]);
    const tol = relTol * c.scale[e] + (c.C0[e] === SENTINEL && c.scale[e] === 0 ? 0 : 1e-30);
    if (!(err <= tol)) {
      const where = c.C0[e] === SENTINEL && c.scale[e] === 0 ? "padding/outside the view (must be untouched)" : "C";
      assert.fail(`${name} ${c.label}: element ${e} (${where}) is ${got[e]}, want ${c.want[e]} (error ${err}, tolerance ${tol})`);
    }
    if (c.scale[e] > 0) worst = Math.max(worst, err / c.scale[e]);
  }
}

test("kernel coverage on this machine (which GEMM paths these tests ran)", (t) => {
  const info = nativeInfo();
  const line = `gemm implementations tested: ${impls.map((k) => k.name).join(", ")}` +
    (info ? ` (BLAS: ${info.blasConfig || "none"}; threads ${info.threads})` : ` (native addon unavailable: ${nativeLoadError()})`);
  t.diagnostic(line);
  assert.ok(impls.some((k) => k.name === "ts"));
  if (process.env.CI) assert.ok(info, `CI must build the native addon: ${nativeLoadError()}`);
  if (info) {
    assert.ok(impls.some((k) => k.name === "native-simd"));
    assert.equal(impls.some((k) => k.name === "native-blas"), info.blas !== null);
    assert.deepEqual(nativeSimdVariants().map((k) => k.name), info.simdVariants.map((v) => `native-simd-${v}`));
    assert.equal(info.simdVariants.at(-1), "generic");
  }
});

for (const k of impls) {
  test(`${k.name}: float32 GEMM matches a float64 loop (4 transposes, 9 shapes, alpha/beta, strides, views)`, () => {
    for (const c of allCases()) assertClose(k.name, c, run(k, c, Float32Array), 1e-5 * Math.sqrt(Math.max(1, c.K)));
  });
}

test("ts reference: float64 GEMM matches a float64 loop to rounding", () => {
  for (const c of allCases()) assertClose("gemmRef f64", c, run({ name: "ref", gemm: gemmRef }, c, Float64Array), 1e-13);
});

test("native paths route float64 buffers to the TypeScript reference", () => {
  const c = allCases().find((x) => x.M === 64 && x.transA && !x.transB)!;
  for (const k of impls) assertClose(`${k.name} f64`, c, run(k, c, Float64Array), 1e-13);
});

for (const k of impls) {
  test(`${k.name}: beta = 0 ignores NaN in C; alpha = 0 or K = 0 scales C by beta without reading A or B`, () => {
    const M = 5, N = 19, K = 7;
    const A = new Float32Array(M * K).fill(1), B = new Float32Array(K * N).fill(2);
    const C = new Float32Array(M * N).fill(NaN);
    k.gemm(false, false, M, N, K, 1, A, K, B, N, 0, C, N);
    assert.ok(C.every((v) => v === 2 * K), `${k.name}: beta=0 must overwrite NaN, got ${C[0]}`);
    const nanA = new Float32Array(M * K).fill(NaN);
    k.gemm(false, true, M, N, K, 0, nanA, K, new Float32Array(N * K).fill(NaN), K, 0.5, C, N);
    assert.ok(C.every((v) => v === K), `${k.name}: alpha=0 must give beta·C, got ${C[0]}`);
    k.gemm(true, false, M, N, 0, 1, new Float32Array(0), M, new Float32Array(0), N, 0, C, N);
    assert.ok(C.every((v) => v === 0), `${k.name}: K=0 with beta=0 must zero C, got ${C[0]}`);
  });

  test(`${k.name}: wrong lengths, strides and types throw before touching memory`, () => {
    const M = 4, N = 6, K = 5;
    const f = (n: number) => new Float32Array(n);
    const ok = () => k.gemm(false, false, M, N, K, 1, f(M * K), K, f(K * N), N, 0, f(M * N), N);
    ok();
    const short = [
      () => k.gemm(false, false, M, N, K, 1, f(M * K - 1), K, f(K * N), N, 0, f(M * N), N),
      () => k.gemm(false, false, M, N, K, 1, f(M * K), K, f(K * N - 1), N, 0, f(M * N), N),
      () => k.gemm(false, false, M, N, K, 1, f(M * K), K, f(K * N), N, 0, f(M * N - 1), N),
      () => k.gemm(true, false, M, N, K, 1, f(K * M - 1), M, f(K * N), N, 0, f(M * N), N),
      () => k.gemm(false, true, M, N, K, 1, f(M * K), K, f(N * K - 1), K, 0, f(M * N), N),
      () => k.gemm(false, false, M, N, K, 1, f(M * K), K, f(K * N), N, 0, f(M * N + 8).subarray(9), N),
      () => k.gemm(false, false, M, N, K, 1, f(M * K), K + 1, f(K * N), N, 0, f(M * N), N),
    ];
    for (const [i, call] of short.entries()) assert.throws(call, TypeError, `${k.name}: short buffer case ${i} must throw`);
    assert.throws(() => k.gemm(false, false, M, N, K, 1, f(M * K), K - 1, f(K * N), N, 0, f(M * N), N), /lda=4 is less than the row length 5/);
    assert.throws(() => k.gemm(false, true, M, N, K, 1, f(M * K), K, f(N * K), K - 1, 0, f(M * N), N), RangeError);
    assert.throws(() => k.gemm(false, false, 2.5, N, K, 1, f(M * K), K, f(K * N), N, 0, f(M * N), N), RangeError);
    assert.throws(() => k.gemm(false, false, -1, N, K, 1, f(M * K), K, f(K * N), N, 0, f(M * N), N), RangeError);
    assert.throws(
      () => k.gemm(false, false, M, N, K, 1, f(M * K), K, f(K * N), N, 0, f(M * N - 1), N),
      /C has 23 elements but needs 24/,
    );
  });
}

test("the test's tolerance check fails on a wrong kernel (last k term dropped)", () => {
  const c = allCases().find((x) => x.M === 7 && x.transA && x.transB)!;
  const wrong: Kernels = { name: "wrong", gemm: (tA, tB, M, N, K, ...rest) => gemmRef(tA, tB, M, N, K - 1, ...rest) };
  assert.throws(() => assertClose("wrong", c, run(wrong, c, Float32Array), 1e-5 * Math.sqrt(c.K)), /want/);
});
