// The native addon beyond small shapes: cache blocking along M, N and K (shapes past MC, NC and KC) for every
// transpose, bitwise-equal results for any thread count, and thread control. Skips when the addon is absent.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/index.ts";
import {
  availableKernels, nativeInfo, nativeLoadError, nativeSimdVariants, nativeThreads, setNativeThreads, type Kernels,
} from "../../src/tensor/index.ts";

function needAddon(t: TestContext): boolean {
  if (nativeInfo()) return true;
  if (process.env.CI) throw new Error(`the native addon is missing and CI is set: ${nativeLoadError()}`);
  const msg = `SKIPPED: native addon unavailable (${nativeLoadError()})`;
  process.stderr.write(msg + "\n");
  t.skip(msg);
  return false;
}

const natives = (): Kernels[] => [...availableKernels().filter((k) => k.name === "native-blas"), ...nativeSimdVariants()];

function random(rng: Rng, n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.next() * 2 - 1;
  return a;
}

test("native GEMM past every cache block (M > MC, N > NC, K > KC) matches float64 on sampled elements", (t) => {
  if (!needAddon(t)) return;
  const M = 203, N = 4203, K = 801, ldc = N + 5, rng = new Rng(7);
  const threads = nativeThreads();
  setNativeThreads(1); // one block per call, so the sequential blocking loops all run
  try {
    for (const transA of [false, true]) for (const transB of [false, true]) {
      const lda = (transA ? M : K) + 2, ldb = (transB ? K : N) + 1;
      const A = random(rng, (transA ? K : M) * lda), B = random(rng, (transB ? N : K) * ldb);
      const C0 = random(rng, M * ldc);
      const samples = Array.from({ length: 1500 }, () => [rng.int(M), rng.int(N)]);
      samples.push([0, 0], [M - 1, N - 1], [M - 1, 0], [0, N - 1], [191, 4095], [192, 4096]);
      for (const k of natives()) {
        const C = C0.slice();
        k.gemm(transA, transB, M, N, K, 0.5, A, lda, B, ldb, -1, C, ldc);
        for (const [i, j] of samples) {
          let s = 0, abs = 0;
          for (let p = 0; p < K; p++) {
            const ab = (transA ? A[p * lda + i] : A[i * lda + p]) * (transB ? B[j * ldb + p] : B[p * ldb + j]);
            s += ab;
            abs += Math.abs(ab);
          }
          const want = 0.5 * s - C0[i * ldc + j];
          const tol = 1e-5 * Math.sqrt(K) * (0.5 * abs + Math.abs(C0[i * ldc + j]));
          const got = C[i * ldc + j];
          assert.ok(Math.abs(got - want) <= tol, `${k.name} ${transA ? "T" : "N"}${transB ? "T" : "N"} C[${i},${j}] = ${got}, want ${want}`);
        }
        for (let i = 0; i < M; i++) for (let j = N; j < ldc; j++) {
          assert.equal(C[i * ldc + j], C0[i * ldc + j], `${k.name}: padding C[${i},${j}] was written`);
        }
      }
    }
  } finally {
    setNativeThreads(threads);
  }
});

test("our SIMD GEMM gives bitwise-identical results for 1, 2 and 3 threads", (t) => {
  if (!needAddon(t)) return;
  const rng = new Rng(11);
  const threads = nativeThreads();
  try {
    for (const [M, N, K, transA, transB] of [[301, 257, 97, false, false], [37, 1100, 130, true, true], [900, 20, 200, false, true]] as const) {
      const A = random(rng, M * K), B = random(rng, K * N), C0 = random(rng, M * N);
      for (const k of nativeSimdVariants()) {
        const results = [1, 2, 3].map((n) => {
          setNativeThreads(n);
          assert.equal(nativeThreads(), n);
          const C = C0.slice();
          k.gemm(transA, transB, M, N, K, 1.25, A, transA ? M : K, B, transB ? K : N, 0.5, C, N);
          assert.equal(nativeInfo()!.lastSimdThreads, n, `${k.name} ${M}x${N}x${K} should split over ${n} threads`);
          return C;
        });
        assert.deepEqual(results[1], results[0], `${k.name} ${M}x${N}x${K}: 2 threads differ from 1`);
        assert.deepEqual(results[2], results[0], `${k.name} ${M}x${N}x${K}: 3 threads differ from 1`);
      }
    }
  } finally {
    setNativeThreads(threads);
  }
});

test("native info and thread control", (t) => {
  if (!needAddon(t)) return;
  const info = nativeInfo()!;
  assert.ok(info.cpus >= 1 && info.threads >= 1);
  if (!process.env.MEDTUNE_THREADS) assert.equal(info.threads, info.cpus, "default: one thread per available CPU");
  assert.ok(info.simdVariants.includes(info.simd));
  const threads = nativeThreads();
  try {
    setNativeThreads(0);
    assert.equal(nativeThreads(), info.cpus, "0 means one per available CPU");
    assert.throws(() => setNativeThreads(-1), RangeError);
    assert.throws(() => setNativeThreads(1.5), RangeError);
  } finally {
    setNativeThreads(threads);
  }
});
