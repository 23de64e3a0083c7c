// GEMM throughput of every kernel implementation this machine has, one JSON line per implementation and shape.
// Shapes are M×N×K of C(M×N) = alpha·op(A)(M×K)·op(B)(K×N), the engine shapes (SmolLM2-135M widths).
// gflops is the median call, gflopsBest the fastest (the machine may be shared). MEDTUNE_THREADS sets threads.
// Usage: node --import tsx bench/gemm.ts [--impl a,b] [--trans NN|NT|TN|TT] [--shapes 4096x576x576,...] [--variants]
import { parseArgs } from "node:util";
import { Rng } from "../src/core/index.ts";
import { availableKernels, nativeInfo, nativeSimdVariants, nativeThreads, type Kernels } from "../src/tensor/index.ts";

const { values } = parseArgs({
  options: {
    impl: { type: "string" },
    trans: { type: "string", default: "NN" },
    shapes: { type: "string", default: "4096x576x576,4096x1536x576,576x576x4096,4096x49152x576" },
    variants: { type: "boolean", default: false },
    "min-seconds": { type: "string", default: "1" },
    "ts-gflop": { type: "string", default: "2" },
  },
});
if (!/^[NT][NT]$/.test(values.trans)) throw new Error(`--trans must be NN, NT, TN or TT, got ${values.trans}`);
const transA = values.trans[0] === "T", transB = values.trans[1] === "T";
const minSeconds = Number(values["min-seconds"]);
const tsGflop = Number(values["ts-gflop"]); // the TS reference measures a row slice of about this much work

let impls: Kernels[] = [...availableKernels(), ...(values.variants ? nativeSimdVariants() : [])];
if (values.impl) {
  const want = values.impl.split(",");
  impls = impls.filter((k) => want.includes(k.name));
}
const info = nativeInfo();
const rng = new Rng(1234);
const fill = (n: number) => {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.next() - 0.5;
  return a;
};

for (const shape of values.shapes.split(",")) {
  const [M, N, K] = shape.split("x").map(Number);
  const A = fill(M * K), B = fill(K * N), C = new Float32Array(M * N);
  const lda = transA ? M : K, ldb = transB ? K : N;
  for (const k of impls) {
    // The TS reference computes whole rows of C independently, so a row slice times the same inner loops.
    let rows = M;
    let note: string | undefined;
    if (k.name === "ts" && 2 * M * N * K > tsGflop * 1e9) {
      rows = Math.max(1, Math.floor((tsGflop * 1e9) / (2 * N * K)));
      note = `row slice: ${rows} of ${M} rows of C per call (about ${tsGflop} GFLOP, --ts-gflop) keeps the TS run short`;
    }
    // transA reads A as K×M: a row slice of C is the first `rows` columns of A, same lda.
    const run = () => k.gemm(transA, transB, rows, N, K, 1, A, lda, B, ldb, 0, C, N);
    run(); // warm-up: page in buffers, start threads, JIT
    const times: number[] = [];
    const t0 = performance.now();
    do {
      const t = performance.now();
      run();
      times.push((performance.now() - t) / 1e3);
    } while (performance.now() - t0 < minSeconds * 1e3);
    times.sort((a, b) => a - b);
    const flop = 2 * rows * N * K;
    const gflops = flop / times[Math.floor(times.length / 2)] / 1e9; // median call
    const gflopsBest = flop / times[0] / 1e9;
    const line: Record<string, unknown> = {
      bench: "gemm", impl: k.name, shape, M, N, K, trans: values.trans,
      convention: "MxNxK: C(MxN) = op(A)(MxK)·op(B)(KxN), float32",
      gflops: Number(gflops.toFixed(2)), gflopsBest: Number(gflopsBest.toFixed(2)), reps: times.length,
      threads: k.name === "ts" ? 1 : nativeThreads(),
    };
    if (k.name.startsWith("native-simd")) line.simd = k.name === "native-simd" ? info?.simd : k.name.slice("native-simd-".length);
    if (k.name === "native-blas") line.blas = info?.blasConfig;
    if (note) Object.assign(line, { measuredM: rows, note });
    console.log(JSON.stringify(line));
  }
}
