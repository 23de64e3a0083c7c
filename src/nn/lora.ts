// LoRA (Hu et al. 2021) as PEFT implements it: y = W·x + b + (alpha/R)·B·(A·dropout(x)), A (R,in) Kaiming-uniform
// (bound 1/sqrt(in), PEFT's kaiming_uniform_(a=√5)), B (out,R) zero at init so the adapter starts as the
// identity; the base weight stays frozen. `merge` folds W += (alpha/R)·B·A. An adapter keeps every A and B in
// one flat buffer (and its gradients in another) under PEFT names (base_model.model.<module>.lora_A.weight);
// it converts to and from the formats layer's LoraAdapter (PEFT folders, GGUF LoRA files).
import { Rng, fail } from "../core/index.ts";
import type { LoraAdapter, LoraPair } from "../formats/index.ts";
import type { FloatArray, Kernels } from "../tensor/index.ts";
import { dropoutForward, dropoutKeeps } from "./dropout.ts";
import type { LinearWeights } from "./linear.ts";
import { FlatParams, allocFloat, type DType } from "./params.ts";

/** The Llama projections LoRA can wrap, in HF module-name form. */
export const LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"] as const;

/** One wrappable projection. */
export type LoraTarget = (typeof LORA_TARGETS)[number];

/** How to build an adapter (PEFT LoraConfig knobs). */
export interface LoraOptions {
  /** R, the rank */
  rank: number;
  /** scale = alpha / R (alpha / sqrt(R) with rsLora) */
  alpha: number;
  /** dropout on the LoRA input path while training (PEFT lora_dropout) */
  dropout?: number;
  /** modules to wrap: q,k,v,o,gate,up,down (or q_proj, …, or "all-linear"); default all seven */
  targets?: readonly string[];
  /** layer indices to wrap (PEFT layers_to_transform); default all */
  layers?: readonly number[];
  /** seeds A's initialisation and the dropout masks */
  seed?: number;
  /** rank-stabilised scaling alpha/sqrt(R) (PEFT use_rslora) */
  rsLora?: boolean;
}

/** Normalises target names (q | q_proj | all-linear) to HF projection names, failing on anything else. */
export function resolveLoraTargets(targets: readonly string[] | undefined): LoraTarget[] {
  if (targets === undefined || targets.length === 0) return [...LORA_TARGETS];
  const out = new Set<LoraTarget>();
  for (const raw of targets) {
    const t = raw.trim();
    if (t === "all-linear" || t === "all") {
      for (const x of LORA_TARGETS) out.add(x);
      continue;
    }
    const name = (t.endsWith("_proj") ? t : `${t}_proj`) as LoraTarget;
    if (!LORA_TARGETS.includes(name)) {
      fail("lora.bad-target", `unknown LoRA target module "${raw}"`, "lora targets",
        `use a subset of q, k, v, o, gate, up, down (or their _proj names, or "all-linear"); embeddings and lm_head are not supported`);
    }
    out.add(name);
  }
  return LORA_TARGETS.filter((x) => out.has(x));
}

/** PEFT's saved name of a module's A or B matrix. */
export function peftName(module: string, which: "A" | "B"): string {
  return `base_model.model.${module}.lora_${which}.weight`;
}

/** Scratch a LoraLinear borrows from its model during a step. */
export interface LoraScratch {
  /** (N, max R) */
  dxa: FloatArray;
  /** (N, max in) dropped input, or null when no adapter uses dropout */
  drop: FloatArray | null;
  /** (N, max in) gradient of the dropped input, or null when no adapter uses dropout */
  dropGrad: FloatArray | null;
}

/** LoRA beside one linear layer: out += scale·(dropout(x)·Aᵀ)·Bᵀ. */
export class LoraLinear {
  readonly base: LinearWeights;
  readonly rank: number;
  readonly scale: number;
  readonly dropout: number;
  /** (R,in) */
  readonly A: FloatArray;
  /** (out,R) */
  readonly B: FloatArray;
  /** (R,in) */
  readonly dA: FloatArray;
  /** (out,R) */
  readonly dB: FloatArray;
  /** (N,R): x·Aᵀ from the last forward, needed by dB */
  private xa: FloatArray;
  private readonly rng: Rng;
  /** dropout seed of the last forward; −1 when dropout was off */
  private dropSeed = -1;

  private constructor(base: LinearWeights, rank: number, scale: number, dropout: number, A: FloatArray, B: FloatArray, dA: FloatArray, dB: FloatArray, rng: Rng) {
    this.base = base;
    this.rank = rank;
    this.scale = scale;
    this.dropout = dropout;
    this.A = A;
    this.B = B;
    this.dA = dA;
    this.dB = dB;
    this.rng = rng;
    this.xa = allocFloat(A instanceof Float64Array ? "float64" : "float32", 0);
  }

  /**
   * Wraps `base` with a rank-R adapter. A is Kaiming-uniform U(−1/sqrt(in), 1/sqrt(in)) and B = 0, unless
   * `init: false` (the caller fills them, e.g. from a PEFT file). A, B, dA, dB may be views into a shared buffer.
   */
  static fromBase(
    base: LinearWeights,
    opts: { rank: number; alpha: number; dropout?: number; seed?: number; rsLora?: boolean; rng?: Rng; init?: boolean;
      A?: FloatArray; B?: FloatArray; dA?: FloatArray; dB?: FloatArray },
  ): LoraLinear {
    const R = opts.rank;
    if (!Number.isInteger(R) || R < 1) fail("lora.bad-rank", `LoRA rank must be a positive integer, got ${R}`, "lora rank");
    if (!(Number.isFinite(opts.alpha) && opts.alpha > 0)) fail("lora.bad-alpha", `LoRA alpha must be a positive number, got ${opts.alpha}`, "lora alpha");
    const p = opts.dropout ?? 0;
    if (!(p >= 0 && p < 1)) fail("lora.bad-dropout", `LoRA dropout must be in [0, 1), got ${p}`, "lora dropout");
    const dtype: DType = base.weight instanceof Float64Array ? "float64" : "float32";
    const { inF, outF } = base;
    const A = opts.A ?? allocFloat(dtype, R * inF);
    const B = opts.B ?? allocFloat(dtype, outF * R);
    const dA = opts.dA ?? allocFloat(dtype, R * inF);
    const dB = opts.dB ?? allocFloat(dtype, outF * R);
    if (A.length !== R * inF || B.length !== outF * R || dA.length !== R * inF || dB.length !== outF * R) {
      throw new Error(`LoRA buffers do not match rank ${R} and shape (${outF}, ${inF})`);
    }
    const rng = opts.rng ?? new Rng(opts.seed ?? 0);
    if (opts.init !== false) {
      const bound = 1 / Math.sqrt(inF);
      for (let i = 0; i < A.length; i++) A[i] = (2 * rng.next() - 1) * bound;
      B.fill(0);
    }
    const scale = opts.rsLora ? opts.alpha / Math.sqrt(R) : opts.alpha / R;
    return new LoraLinear(base, R, scale, p, A, B, dA, dB, rng);
  }

  /** out += scale·(dropout(x)·Aᵀ)·Bᵀ; dropout only when `training`. Keeps x·Aᵀ for the backward. */
  forward(
    out: FloatArray, // (N,out)
    x: FloatArray, // (N,in)
    N: number,
    kern: Kernels,
    scratch: LoraScratch,
    training: boolean,
  ): void {
    const { inF, outF } = this.base;
    const R = this.rank;
    if (this.xa.length < N * R) this.xa = allocFloat(this.A instanceof Float64Array ? "float64" : "float32", N * R);
    let xin = x;
    if (training && this.dropout > 0) {
      if (scratch.drop === null) throw new Error("LoRA dropout needs a drop scratch buffer");
      this.dropSeed = this.rng.nextU32();
      dropoutForward(scratch.drop, x, this.dropout, this.dropSeed, N * inF);
      xin = scratch.drop;
    } else this.dropSeed = -1;
    kern.gemm(false, true, N, R, inF, 1, xin, inF, this.A, inF, 0, this.xa, R); // (N,in)·(R,in)ᵀ -> (N,R)
    kern.gemm(false, true, N, outF, R, this.scale, this.xa, R, this.B, R, 1, out, outF); // (N,R)·(out,R)ᵀ -> (N,out)
  }

  /** dB += scale·doutᵀ·xa; dA += (scale·dout·B)ᵀ·dropout(x); dx += dropoutᵀ((scale·dout·B)·A) (dx null: skipped). */
  backward(
    dx: FloatArray | null, // (N,in)
    dout: FloatArray, // (N,out)
    x: FloatArray, // (N,in)
    N: number,
    kern: Kernels,
    scratch: LoraScratch,
  ): void {
    const { inF, outF } = this.base;
    const R = this.rank;
    const dxa = scratch.dxa;
    kern.gemm(true, false, outF, R, N, this.scale, dout, outF, this.xa, R, 1, this.dB, R); // (N,out)ᵀ·(N,R) -> (out,R)
    kern.gemm(false, false, N, R, outF, this.scale, dout, outF, this.B, R, 0, dxa, R); // (N,out)·(out,R) -> (N,R)
    if (this.dropSeed < 0) {
      kern.gemm(true, false, R, inF, N, 1, dxa, R, x, inF, 1, this.dA, inF); // (N,R)ᵀ·(N,in) -> (R,in)
      if (dx !== null) kern.gemm(false, false, N, inF, R, 1, dxa, R, this.A, inF, 1, dx, inF); // (N,R)·(R,in) -> (N,in)
      return;
    }
    // dropout was on: one pass regenerates the mask, rebuilding dropout(x) for dA and masking (dxa·A) into dx
    const drop = scratch.drop;
    const tmp = scratch.dropGrad;
    if (drop === null || tmp === null) throw new Error("LoRA dropout needs drop scratch buffers");
    if (dx !== null) kern.gemm(false, false, N, inF, R, 1, dxa, R, this.A, inF, 0, tmp, inF); // (N,R)·(R,in) -> (N,in)
    const p = this.dropout;
    const k = 1 / (1 - p);
    const seed = this.dropSeed;
    const n = N * inF;
    for (let i = 0; i < n; i++) {
      if (dropoutKeeps(seed, i, p)) {
        drop[i] = x[i] * k;
        if (dx !== null) dx[i] += tmp[i] * k;
      } else drop[i] = 0;
    }
    kern.gemm(true, false, R, inF, N, 1, dxa, R, drop, inF, 1, this.dA, inF); // (N,R)ᵀ·(N,in) -> (R,in)
  }

  /** Folds the adapter into the base weight, W += scale·B·A, each element's sum taken in float64 and rounded once. */
  merge(): void {
    const { inF, outF, weight } = this.base;
    const R = this.rank;
    const { A, B, scale } = this;
    for (let o = 0; o < outF; o++) {
      for (let i = 0; i < inF; i++) {
        let sum = 0;
        for (let r = 0; r < R; r++) sum += B[o * R + r] * A[r * inF + i];
        weight[o * inF + i] += scale * sum;
      }
    }
  }
}

/** One module an adapter wraps: its HF path (`model.layers.0.self_attn.q_proj`), weights and rank. */
export interface LoraModuleSpec {
  module: string;
  base: LinearWeights;
  rank: number;
}

/** Every LoRA module of a model, with A/B in one flat buffer and dA/dB in another, under PEFT names. */
export class LoraLayers {
  readonly params: FlatParams;
  readonly grads: FlatParams;
  /** module path (`model.layers.0.self_attn.q_proj`) -> its LoraLinear */
  readonly modules = new Map<string, LoraLinear>();
  readonly alpha: number;
  readonly dropout: number;
  readonly rsLora: boolean;
  private readonly rng: Rng;
  /** largest rank and input width among the modules (scratch sizes) */
  readonly maxRank: number;
  readonly maxIn: number;

  /** Allocates adapters for `specs`; A is Kaiming-uniform and B zero unless `init` is false. */
  constructor(
    specs: readonly LoraModuleSpec[],
    opts: { alpha: number; dropout?: number; seed?: number; rsLora?: boolean; init?: boolean },
    dtype: DType,
  ) {
    if (specs.length === 0) fail("lora.no-modules", "the LoRA adapter wraps no module", "lora targets", "name at least one of q, k, v, o, gate, up, down");
    const layout: { name: string; shape: number[] }[] = [];
    for (const s of specs) {
      layout.push({ name: peftName(s.module, "A"), shape: [s.rank, s.base.inF] });
      layout.push({ name: peftName(s.module, "B"), shape: [s.base.outF, s.rank] });
    }
    this.params = new FlatParams(layout, dtype);
    this.grads = this.params.like();
    this.alpha = opts.alpha;
    this.dropout = opts.dropout ?? 0;
    this.rsLora = opts.rsLora ?? false;
    const rng = new Rng(opts.seed ?? 0);
    this.rng = rng;
    let maxRank = 0;
    let maxIn = 0;
    for (const s of specs) {
      const a = peftName(s.module, "A");
      const b = peftName(s.module, "B");
      this.modules.set(s.module, LoraLinear.fromBase(s.base, {
        rank: s.rank, alpha: opts.alpha, dropout: this.dropout, rsLora: this.rsLora, rng, init: opts.init,
        A: this.params.get(a), B: this.params.get(b), dA: this.grads.get(a), dB: this.grads.get(b),
      }));
      maxRank = Math.max(maxRank, s.rank);
      maxIn = Math.max(maxIn, s.base.inF);
    }
    this.maxRank = maxRank;
    this.maxIn = maxIn;
  }

  /** The generator behind every module's init and dropout masks (one, shared), so checkpoints can save and restore it. */
  dropoutRng(): Rng {
    return this.rng;
  }

  /** Trainable parameter count: Σ over wrapped modules of R·(in + out). */
  numTrainable(): number {
    return this.params.count();
  }

  /** Sets every LoRA gradient to zero. */
  zeroGrad(): void {
    this.grads.zero();
  }

  /** Copies A and B of every module from `pairs` (module path -> {A, B}); every module must be present with its shapes. */
  load(pairs: ReadonlyMap<string, LoraPair>, where = "adapter"): void {
    for (const [module, ll] of this.modules) {
      const p = pairs.get(module);
      if (!p) fail("lora.missing-tensor", `LoRA weights for ${module} are missing`, where, "the adapter must hold lora_A and lora_B for every target module");
      const want: [string, number[], { shape: number[]; data: Float32Array }][] = [
        ["A", [ll.rank, ll.base.inF], p.A], ["B", [ll.base.outF, ll.rank], p.B]];
      for (const [which, shape, t] of want) {
        if (t.shape.length !== 2 || t.shape[0] !== shape[0] || t.shape[1] !== shape[1]) {
          fail("lora.bad-shape", `LoRA ${which} of ${module} has shape [${t.shape}], expected [${shape}]`, where, "was the adapter trained for this base model?");
        }
        this.params.get(peftName(module, which as "A" | "B")).set(t.data);
      }
    }
    for (const module of pairs.keys()) {
      if (!this.modules.has(module)) fail("lora.unexpected-tensor", `adapter module ${module} is not wrapped by this LoRA setup`, where, "check target_modules");
    }
  }

  /** The adapter in the formats layer's form (float32 copies), ready for savePeftAdapter or saveGgufLora. */
  toAdapter(): LoraAdapter {
    const tensors = new Map<string, LoraPair>();
    let r = 0;
    for (const [module, ll] of this.modules) {
      r = Math.max(r, ll.rank);
      tensors.set(module, {
        A: { shape: [ll.rank, ll.base.inF], data: Float32Array.from(ll.A) },
        B: { shape: [ll.base.outF, ll.rank], data: Float32Array.from(ll.B) },
      });
    }
    return { config: { r, alpha: this.alpha, dropout: this.dropout, targetModules: this.targetModules(), bias: "none", useRslora: this.rsLora }, tensors };
  }

  /** The HF projection names this adapter wraps (for adapter_config.json target_modules). */
  targetModules(): LoraTarget[] {
    const s = new Set<string>();
    for (const m of this.modules.keys()) s.add(m.slice(m.lastIndexOf(".") + 1));
    return LORA_TARGETS.filter((t) => s.has(t));
  }
}
