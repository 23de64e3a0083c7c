// The TypeScript implementation of the kernel seam: the reference the native paths are checked against and the
// fallback when the addon is missing. Accepts float32 and float64 buffers.
import type { Kernels } from "./kernels.ts";
import { gemmRef } from "./gemm-ref.ts";

/** Kernels in plain TypeScript (name `ts`). */
export const tsKernels: Kernels = { name: "ts", gemm: gemmRef };
