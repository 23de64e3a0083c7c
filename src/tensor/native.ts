// The native addon (native/build/Release/medtune_native.node, built at install by scripts/build-native.mjs) as
// Kernels: `native-blas` (system BLAS sgemm) and `native-simd` (our blocked SIMD GEMM). The addon is float32
// only: a call with any Float64Array operand goes to the TypeScript reference inside the same Kernels object.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { errorMessage, packageRoot } from "../core/index.ts";
import type { FloatArray, Kernels } from "./kernels.ts";
import { gemmRef } from "./gemm-ref.ts";
import { tsKernels } from "./ts-kernels.ts";

type GemmFn = (
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  alpha: number, A: Float32Array, lda: number, B: Float32Array, ldb: number,
  beta: number, C: Float32Array, ldc: number, variant?: string,
) => void;

/** What the loaded addon was built with and runs on. */
export interface NativeInfo {
  /** System BLAS compiled in (`openblas`, `accelerate`) or null. */
  blas: string | null;
  /** The BLAS library's build description (OpenBLAS config string), or "". */
  blasConfig: string;
  /** SIMD variant gemmSimd uses (MEDTUNE_SIMD may pin one). */
  simd: string;
  /** SIMD variants this CPU runs, best first (`avx512`, `avx2`, `generic`). */
  simdVariants: string[];
  /** Threads a GEMM may use (MEDTUNE_THREADS, else one per available CPU). */
  threads: number;
  /** CPUs this process may run on. */
  cpus: number;
  /** Threads the last native-simd GEMM used (0 before the first). */
  lastSimdThreads: number;
}

interface NativeAddon {
  gemmSimd: GemmFn;
  gemmBlas?: GemmFn;
  setThreads(n: number): void;
  getThreads(): number;
  info(): NativeInfo;
}

let loaded: { addon: NativeAddon | null; error: string | null } | null = null;

/** Where the addon is looked for: MEDTUNE_NATIVE_PATH, else native/build/Release/medtune_native.node. */
export function nativeAddonPath(): string {
  return process.env.MEDTUNE_NATIVE_PATH || join(packageRoot(), "native", "build", "Release", "medtune_native.node");
}

function load(): { addon: NativeAddon | null; error: string | null } {
  if (loaded) return loaded;
  const path = nativeAddonPath();
  if (!existsSync(path)) {
    loaded = { addon: null, error: `${path} not found` };
    return loaded;
  }
  try {
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    loaded = { addon, error: null };
  } catch (e) {
    loaded = { addon: null, error: `${path} failed to load: ${errorMessage(e).split("\n")[0]}` };
  }
  return loaded;
}

/** Why the addon is unavailable, or null when it loaded. */
export function nativeLoadError(): string | null {
  return load().error;
}

/** Build and CPU facts of the loaded addon, or null without one. */
export function nativeInfo(): NativeInfo | null {
  return load().addon?.info() ?? null;
}

/** Sets the threads native GEMMs use (ours and OpenBLAS's); 0 = one per available CPU. No-op without the addon. */
export function setNativeThreads(n: number): void {
  load().addon?.setThreads(n);
}

/** Threads native GEMMs use (1 without the addon). */
export function nativeThreads(): number {
  return load().addon?.getThreads() ?? 1;
}

function wrap(name: string, fn: GemmFn, variant?: string): Kernels {
  return {
    name,
    gemm(transA, transB, M, N, K, alpha, A: FloatArray, lda, B: FloatArray, ldb, beta, C: FloatArray, ldc) {
      if (A instanceof Float32Array && B instanceof Float32Array && C instanceof Float32Array) {
        fn(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, variant);
      } else {
        gemmRef(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
      }
    },
  };
}

let cached: { blas: Kernels | null; simd: Kernels | null } | null = null;

function native(): { blas: Kernels | null; simd: Kernels | null } {
  if (cached) return cached;
  const addon = load().addon;
  cached = {
    blas: addon?.gemmBlas ? wrap("native-blas", addon.gemmBlas) : null,
    simd: addon ? wrap("native-simd", addon.gemmSimd) : null,
  };
  return cached;
}

/** The fastest native Kernels (system BLAS, else our SIMD kernel), or null when the addon is unavailable. */
export function nativeKernels(): Kernels | null {
  const n = native();
  return n.blas ?? n.simd;
}

/** Every implementation this machine has, fastest first: `native-blas`, `native-simd`, `ts`. */
export function availableKernels(): Kernels[] {
  const n = native();
  return [n.blas, n.simd, tsKernels].filter((k): k is Kernels => k !== null);
}

/** One Kernels per SIMD variant this CPU runs (`native-simd-avx512`, `-avx2`, `-generic`), for tests and benches. */
export function nativeSimdVariants(): Kernels[] {
  const addon = load().addon;
  if (!addon) return [];
  return addon.info().simdVariants.map((v) => wrap(`native-simd-${v}`, addon.gemmSimd, v));
}
