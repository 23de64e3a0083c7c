// tensor: the kernel seam (native addon with system BLAS or our SIMD GEMM, plain TypeScript reference) and
// how the engine picks one.
export type { FloatArray, Kernels } from "./kernels.ts";
export { gemmRef } from "./gemm-ref.ts";
export { checkGemmArgs } from "./gemm-check.ts";
export { tsKernels } from "./ts-kernels.ts";
export {
  availableKernels, nativeAddonPath, nativeInfo, nativeKernels, nativeLoadError, nativeSimdVariants, nativeThreads,
  setNativeThreads,
} from "./native.ts";
export type { NativeInfo } from "./native.ts";
export { getKernels } from "./kernel-select.ts";
