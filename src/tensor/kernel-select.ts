// Picks the engine's kernels: the fastest available (native BLAS, native SIMD, TypeScript), or the one named by
// MEDTUNE_KERNELS. Falling back to TypeScript without being asked prints one warning per process.
import { fail, log } from "../core/index.ts";
import type { Kernels } from "./kernels.ts";
import { availableKernels, nativeLoadError } from "./native.ts";

const CHOICES = ["ts", "native-simd", "native-blas", "native"];
let chosen: { key: string; kernels: Kernels } | null = null;
let warned = false;

/** The kernels layers should use: MEDTUNE_KERNELS=ts|native-simd|native-blas|native, else the fastest available. */
export function getKernels(): Kernels {
  const want = process.env.MEDTUNE_KERNELS ?? "";
  if (chosen && chosen.key === want) return chosen.kernels;
  const all = availableKernels();
  let k: Kernels | undefined;
  if (want === "") {
    k = all[0];
    if (k.name === "ts" && !warned) {
      warned = true;
      log.warn(
        `medtune: native kernels unavailable (${nativeLoadError() ?? "unknown reason"}); using the TypeScript reference: ` +
          `install a C++ toolchain (and libopenblas-dev for the BLAS path) and run npm rebuild`,
      );
    }
  } else {
    if (!CHOICES.includes(want)) {
      fail("KERNELS_UNKNOWN", `MEDTUNE_KERNELS=${want} is not a kernel implementation`, "environment", `use one of ${CHOICES.join(", ")}`);
    }
    k = want === "native" ? all.find((x) => x.name !== "ts") : all.find((x) => x.name === want);
    if (!k) {
      const why = nativeLoadError();
      fail(
        "KERNELS_UNAVAILABLE",
        `MEDTUNE_KERNELS=${want} is not available on this machine (have: ${all.map((x) => x.name).join(", ")})`,
        "environment",
        why ? `the native addon did not load (${why}): run npm rebuild` : "install libopenblas-dev (Linux) and run npm rebuild for native-blas",
      );
    }
  }
  chosen = { key: want, kernels: k };
  return k;
}
