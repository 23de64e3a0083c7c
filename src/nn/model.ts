// The Llama-family decoder (HF LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM): embedding, L blocks of
// RMSNorm → q/k/v (+bias for qwen2) → RoPE → GQA attention → o_proj → residual → RMSNorm → SwiGLU MLP → residual,
// final norm, LM head (tied or not). llm.c style: weights and gradients in one flat buffer each, activations
// allocated once per batch shape, a hand-written backward per layer; LoRA adapters ride beside the projections.
import { Rng, fail } from "../core/index.ts";
import type { LoraAdapter, ModelConfig, TensorMap } from "../formats/index.ts";
import { getKernels, tsKernels, type FloatArray, type Kernels } from "../tensor/index.ts";
import { attentionBackward, attentionForward, attentionScratchSize, type AttentionDims } from "./attention.ts";
import { IGNORE_INDEX, headLossBackward, headLossForward, type HeadLossScratch } from "./cross-entropy.ts";
import { embeddingBackward, embeddingForward } from "./embedding.ts";
import { KvCache } from "./kv-cache.ts";
import { linearBackward, linearForward, type LinearWeights } from "./linear.ts";
import { LoraLayers, resolveLoraTargets, type LoraLinear, type LoraOptions, type LoraScratch, type LoraModuleSpec } from "./lora.ts";
import { FlatParams, allocFloat, type DType } from "./params.ts";
import { rmsNormBackward, rmsNormForward } from "./rms-norm.ts";
import { RopeTable, ropeBackward, ropeForward, ropeInvFreq } from "./rope.ts";
import { swigluBackward, swigluForward } from "./swiglu.ts";

/** Token ids, labels, masks or positions for a batch: B rows of equal length T, or flat (B·T) data with its shape. */
export type TokenBatch = readonly ArrayLike<number>[] | { data: ArrayLike<number>; B: number; T: number };

/** Options of a training or evaluation forward pass. */
export interface ForwardOptions {
  /** (B,T) targets in HF form: row t is scored against labels[t+1]; −100 is ignored */
  labels?: TokenBatch;
  /** (B,T) 1 = real token, 0 = padding key */
  attentionMask?: TokenBatch;
  /** (B,T) RoPE positions; default 0..T−1 (HF training forward) */
  positionIds?: TokenBatch;
  /** divide the summed loss by this instead of the kept-token count (gradient accumulation over micro-batches) */
  lossNormalizer?: number;
  /** keep no activations for backward (inference, evaluation): one layer's buffers serve all layers */
  noGrad?: boolean;
}

/** How to build a model. */
export interface ModelOptions {
  /** float32 (default) or float64 (finite-difference checks) */
  dtype?: DType;
  /** GEMM implementation; default the best available for float32, the TypeScript reference for float64 */
  kernels?: Kernels;
  /** logits elements per LM-head chunk in the loss (rows = this / V); default 2^23 */
  headChunkElems?: number;
}

/** Index of each projection inside a layer, and its HF module path. */
const Q = 0, K = 1, VP = 2, O = 3, GATE = 4, UP = 5, DOWN = 6;
const PROJ_PATHS = ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"];
const PROJ_NAMES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

/** The HF tensor names and shapes of a Llama-family checkpoint, in the flat buffer's order. */
export function llamaParamSpecs(c: ModelConfig): { name: string; shape: number[] }[] {
  const { vocabSize: V, hiddenSize: C, intermediateSize: F, nHeads: H, nKvHeads: Hkv, headDim: D } = c;
  const out: { name: string; shape: number[] }[] = [{ name: "model.embed_tokens.weight", shape: [V, C] }];
  for (let l = 0; l < c.nLayers; l++) {
    const p = `model.layers.${l}.`;
    out.push({ name: p + "input_layernorm.weight", shape: [C] });
    out.push({ name: p + "self_attn.q_proj.weight", shape: [H * D, C] });
    if (c.attentionBias) out.push({ name: p + "self_attn.q_proj.bias", shape: [H * D] });
    out.push({ name: p + "self_attn.k_proj.weight", shape: [Hkv * D, C] });
    if (c.attentionBias) out.push({ name: p + "self_attn.k_proj.bias", shape: [Hkv * D] });
    out.push({ name: p + "self_attn.v_proj.weight", shape: [Hkv * D, C] });
    if (c.attentionBias) out.push({ name: p + "self_attn.v_proj.bias", shape: [Hkv * D] });
    out.push({ name: p + "self_attn.o_proj.weight", shape: [C, H * D] });
    out.push({ name: p + "post_attention_layernorm.weight", shape: [C] });
    out.push({ name: p + "mlp.gate_proj.weight", shape: [F, C] });
    out.push({ name: p + "mlp.up_proj.weight", shape: [F, C] });
    out.push({ name: p + "mlp.down_proj.weight", shape: [C, F] });
  }
  out.push({ name: "model.norm.weight", shape: [C] });
  if (!c.tieWordEmbeddings) out.push({ name: "lm_head.weight", shape: [V, C] });
  return out;
}

function checkConfig(c: ModelConfig): void {
  const ints: [string, number][] = [["vocabSize", c.vocabSize], ["hiddenSize", c.hiddenSize], ["intermediateSize", c.intermediateSize],
    ["nLayers", c.nLayers], ["nHeads", c.nHeads], ["nKvHeads", c.nKvHeads], ["headDim", c.headDim]];
  for (const [k, v] of ints) {
    if (!Number.isInteger(v) || v < 1) fail("model.bad-config", `model config ${k} must be a positive integer, got ${v}`, "config.json");
  }
  if (c.nHeads % c.nKvHeads !== 0) {
    fail("model.bad-config", `num_attention_heads (${c.nHeads}) is not a multiple of num_key_value_heads (${c.nKvHeads})`, "config.json");
  }
  if (c.headDim % 2 !== 0) fail("model.bad-config", `head_dim must be even for RoPE, got ${c.headDim}`, "config.json");
  if (!(c.rmsNormEps > 0)) fail("model.bad-config", `rms_norm_eps must be positive, got ${c.rmsNormEps}`, "config.json");
  if (!(c.ropeTheta > 0)) fail("model.bad-config", `rope_theta must be positive, got ${c.ropeTheta}`, "config.json");
}

/** One block's weights (views into the flat parameter buffer). */
interface LayerWeights {
  inNorm: FloatArray; // (C)
  postNorm: FloatArray; // (C)
  lin: LinearWeights[]; // q,k,v,o,gate,up,down
}

/** One block's gradients (views into the flat gradient buffer). */
interface LayerGrads {
  inNorm: FloatArray;
  postNorm: FloatArray;
  w: FloatArray[];
  b: (FloatArray | null)[];
}

/** What one block keeps from forward for backward. */
interface LayerActs {
  xIn: FloatArray; // (N,C) residual stream entering the block
  rstd1: FloatArray; // (N)
  q: FloatArray; // (N,H·D) after RoPE
  k: FloatArray; // (N,Hkv·D) after RoPE
  v: FloatArray; // (N,Hkv·D)
  att: FloatArray; // (N,H·D) attention output (o_proj input)
  lse: FloatArray; // (B,H,T)
  xMid: FloatArray; // (N,C) residual stream after attention
  rstd2: FloatArray; // (N)
  gate: FloatArray; // (N,F)
  up: FloatArray; // (N,F)
}

/** Backward scratch, shared by all blocks. */
interface GradScratch {
  dRes: FloatArray; // (N,C)
  dLn: FloatArray; // (N,C)
  dLnF: FloatArray; // (N,C)
  dH: FloatArray; // (N,F)
  dGate: FloatArray; // (N,F)
  dUp: FloatArray; // (N,F)
  dAtt: FloatArray; // (N,H·D)
  dq: FloatArray; // (N,H·D)
  dk: FloatArray; // (N,Hkv·D)
  dkPre: FloatArray; // (N,Hkv·D)
  dv: FloatArray; // (N,Hkv·D)
}

/** A Llama-family causal LM with forward, hand-written backward, LoRA and KV-cache decoding. */
export class LlamaModel {
  readonly config: ModelConfig;
  readonly dtype: DType;
  readonly kernels: Kernels;
  /** every weight, HF names, one flat vector */
  readonly params: FlatParams;
  /** LoRA dropout is active only while training */
  training = false;
  /** the attached adapter; while one is attached the base weights are frozen */
  lora: LoraLayers | null = null;
  /** tokens scored by the last loss */
  lastTokenCount = 0;

  private gradsStore: FlatParams | null = null;
  private readonly embed: FloatArray;
  private readonly normF: FloatArray;
  private readonly head: FloatArray;
  private readonly layers: LayerWeights[];
  private loras: (LoraLinear | null)[][];
  private readonly rope: RopeTable;
  private readonly headChunkElems: number;

  // activations and scratch, sized for capN = B·T rows and capS attention-score elements
  private capN = 0;
  private capS = 0;
  private sets: LayerActs[] = [];
  private xFinal: FloatArray;
  private lnF: FloatArray;
  private rstdF: FloatArray;
  private ln: FloatArray;
  private tmpC: FloatArray;
  private h: FloatArray;
  private rstdTmp: FloatArray;
  private s: FloatArray;
  private dp: FloatArray;
  private ids = new Int32Array(0);
  private targets = new Int32Array(0);
  private pos = new Int32Array(0);
  private mask = new Uint8Array(0);
  private hasMask = false;
  private gs: GradScratch | null = null;
  private headSc: HeadLossScratch | null = null;
  private loraSc: LoraScratch | null = null;
  private lastLogits: FloatArray;
  // the pending forward (what backward() differentiates)
  private pending: { B: number; T: number; normalizer: number } | null = null;

  private constructor(config: ModelConfig, opts: ModelOptions) {
    checkConfig(config);
    this.config = config;
    this.dtype = opts.dtype ?? "float32";
    this.kernels = opts.kernels ?? (this.dtype === "float64" ? tsKernels : getKernels());
    this.headChunkElems = opts.headChunkElems ?? 1 << 23;
    this.params = new FlatParams(llamaParamSpecs(config), this.dtype);
    const p = this.params;
    this.embed = p.get("model.embed_tokens.weight");
    this.normF = p.get("model.norm.weight");
    this.head = config.tieWordEmbeddings ? this.embed : p.get("lm_head.weight");
    this.layers = [];
    const { hiddenSize: C, intermediateSize: F, nHeads: H, nKvHeads: Hkv, headDim: D } = config;
    const dims: [number, number][] = [[C, H * D], [C, Hkv * D], [C, Hkv * D], [H * D, C], [C, F], [C, F], [F, C]];
    for (let l = 0; l < config.nLayers; l++) {
      const pre = `model.layers.${l}.`;
      const lin: LinearWeights[] = PROJ_PATHS.map((path, m) => ({
        inF: dims[m][0],
        outF: dims[m][1],
        weight: p.get(`${pre}${path}.weight`),
        bias: p.has(`${pre}${path}.bias`) ? p.get(`${pre}${path}.bias`) : null,
      }));
      this.layers.push({ inNorm: p.get(pre + "input_layernorm.weight"), postNorm: p.get(pre + "post_attention_layernorm.weight"), lin });
    }
    this.loras = this.layers.map(() => PROJ_PATHS.map(() => null));
    this.rope = new RopeTable(ropeInvFreq(D, config.ropeTheta, config.ropeScaling));
    const z = allocFloat(this.dtype, 0);
    this.xFinal = this.lnF = this.rstdF = this.ln = this.tmpC = this.h = this.rstdTmp = this.s = this.dp = this.lastLogits = z;
  }

  /** A model holding the weights of `tensors` (HF names, float32); fails naming any missing, misshapen or unknown tensor. */
  static fromTensors(config: ModelConfig, tensors: TensorMap, opts: ModelOptions = {}): LlamaModel {
    const m = new LlamaModel(config, opts);
    const expected = new Set(m.params.names());
    const missing = m.params.names().filter((n) => !tensors.has(n));
    if (missing.length > 0) {
      fail("model.missing-tensor", `checkpoint lacks ${missing.length} tensor(s) the ${config.arch} model needs: ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""}`,
        "model weights", "is config.json from the same checkpoint as the weights?");
    }
    for (const [name, t] of tensors) {
      if (!expected.has(name)) {
        if (/\.rotary_emb\.inv_freq$/.test(name)) continue;
        if (name === "lm_head.weight" && config.tieWordEmbeddings) continue;
        fail("model.unexpected-tensor", `checkpoint tensor ${name} has no place in a ${config.arch} model with this config`, "model weights",
          "the architecture may need a feature medtune does not support (e.g. MLP biases), or config.json does not match the weights");
      }
      const shape = m.params.shape(name);
      if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
        fail("model.bad-shape", `tensor ${name} has shape [${t.shape}], the config implies [${shape}]`, "model weights", "is config.json from the same checkpoint as the weights?");
      }
      m.params.get(name).set(t.data);
    }
    return m;
  }

  /** A randomly initialised model (HF init: N(0, std²) matrices, unit norms, zero biases), seeded. */
  static random(config: ModelConfig, opts: ModelOptions & { seed?: number; std?: number } = {}): LlamaModel {
    const m = new LlamaModel(config, opts);
    const rng = new Rng(opts.seed ?? 0);
    const std = opts.std ?? 0.02;
    for (const e of m.params.entries()) {
      const v = m.params.get(e.name);
      if (e.name.endsWith("norm.weight")) v.fill(1);
      else if (e.name.endsWith(".bias")) v.fill(0);
      else for (let i = 0; i < v.length; i++) v[i] = rng.normal() * std;
    }
    return m;
  }

  /** Every weight as float32 tensors under HF names (lm_head omitted when tied, as HF saves it). */
  toTensors(): TensorMap {
    const out: TensorMap = new Map();
    for (const e of this.params.entries()) out.set(e.name, { shape: [...e.shape], data: Float32Array.from(this.params.get(e.name)) });
    return out;
  }

  /** Gradients of every weight (same layout as params), allocated on first use; filled by backward() without LoRA. */
  get grads(): FlatParams {
    if (this.gradsStore === null) this.gradsStore = this.params.like();
    return this.gradsStore;
  }

  /** Zeroes the gradients that backward() accumulates into (LoRA's when attached, else the weights'). */
  zeroGrad(): void {
    if (this.lora !== null) this.lora.zeroGrad();
    if (this.gradsStore !== null) this.gradsStore.zero();
  }

  // ---------------------------------------------------------------- LoRA

  /** Attaches a fresh adapter (A Kaiming-uniform, B = 0) to the chosen projections; base weights become frozen. */
  attachLora(opts: LoraOptions): LoraLayers {
    const targets = resolveLoraTargets(opts.targets);
    const layers = opts.layers ?? this.layers.map((_, l) => l);
    const specs: LoraModuleSpec[] = [];
    for (const l of layers) {
      if (!Number.isInteger(l) || l < 0 || l >= this.layers.length) {
        fail("lora.bad-layer", `LoRA layer index ${l} is outside 0..${this.layers.length - 1}`, "lora layers");
      }
      for (const t of targets) {
        const m = PROJ_NAMES.indexOf(t);
        specs.push({ module: `model.layers.${l}.${PROJ_PATHS[m]}`, base: this.layers[l].lin[m], rank: opts.rank });
      }
    }
    return this.setAdapter(new LoraLayers(specs, { alpha: opts.alpha, dropout: opts.dropout, seed: opts.seed, rsLora: opts.rsLora }, this.dtype));
  }

  /**
   * Attaches a loaded adapter (formats' loadPeftAdapter / loadGgufLora: A and B per module path); alpha, rsLoRA
   * and dropout come from its config unless overridden, each module's rank from its A.
   */
  loadLora(adapter: LoraAdapter, opts: { dropout?: number; seed?: number } = {}, where = "adapter"): LoraLayers {
    const specs: LoraModuleSpec[] = [];
    for (const [module, pair] of adapter.tensors) {
      const mt = /^model\.layers\.(\d+)\.((?:self_attn|mlp)\.\w+)$/.exec(module);
      const l = mt ? Number(mt[1]) : -1;
      const m = mt ? PROJ_PATHS.indexOf(mt[2]) : -1;
      if (!mt || l >= this.layers.length || m < 0) {
        fail("lora.unexpected-tensor", `adapter module ${module} is not a q/k/v/o/gate/up/down projection of this model`, where,
          "was the adapter trained for this base model? (embedding and lm_head adapters are not supported)");
      }
      if (pair.A.shape.length !== 2) fail("lora.bad-shape", `LoRA A of ${module} must be 2-D, got shape [${pair.A.shape}]`, where);
      specs.push({ module, base: this.layers[l].lin[m], rank: pair.A.shape[0] });
    }
    specs.sort((a, b) => moduleOrder(a.module) - moduleOrder(b.module));
    const c = adapter.config;
    const layers = new LoraLayers(specs, { alpha: c.alpha, rsLora: c.useRslora, dropout: opts.dropout ?? c.dropout, seed: opts.seed, init: false }, this.dtype);
    layers.load(adapter.tensors, where);
    return this.setAdapter(layers);
  }

  /** Removes the adapter (base weights unchanged, trainable again). */
  detachLora(): void {
    this.lora = null;
    this.loras = this.layers.map(() => PROJ_PATHS.map(() => null));
    this.loraSc = null;
    this.pending = null;
  }

  /** Folds the adapter into the base weights exactly as W += (alpha/R)·B·A, then detaches it. */
  mergeLora(): void {
    if (this.lora === null) fail("lora.none", "there is no LoRA adapter to merge", "model");
    for (const ll of this.lora.modules.values()) ll.merge();
    this.detachLora();
  }

  private setAdapter(a: LoraLayers): LoraLayers {
    this.detachLora();
    this.lora = a;
    for (const [module, ll] of a.modules) {
      const mt = /^model\.layers\.(\d+)\.(.+)$/.exec(module)!;
      this.loras[Number(mt[1])][PROJ_PATHS.indexOf(mt[2])] = ll;
    }
    return a;
  }

  // ---------------------------------------------------------------- buffers

  private alloc(n: number): FloatArray {
    return allocFloat(this.dtype, n);
  }

  /** Makes room for N = B·T rows, `sElems` attention scores and `nSets` blocks of stored activations. */
  private ensure(N: number, sElems: number, nSets: number): void {
    const c = this.config;
    const C = c.hiddenSize, F = c.intermediateSize, HD = c.nHeads * c.headDim, KD = c.nKvHeads * c.headDim;
    if (N > this.capN) {
      this.capN = N;
      this.sets = [];
      this.xFinal = this.alloc(N * C);
      this.lnF = this.alloc(N * C);
      this.rstdF = this.alloc(N);
      this.ln = this.alloc(N * C);
      this.tmpC = this.alloc(N * C);
      this.h = this.alloc(N * F);
      this.rstdTmp = this.alloc(N);
      this.ids = new Int32Array(N);
      this.targets = new Int32Array(N);
      this.pos = new Int32Array(N);
      this.mask = new Uint8Array(N);
      this.gs = null;
      this.headSc = null;
      this.loraSc = null;
    }
    while (this.sets.length < nSets) {
      const n = this.capN;
      this.sets.push({
        xIn: this.alloc(n * C), rstd1: this.alloc(n), q: this.alloc(n * HD), k: this.alloc(n * KD), v: this.alloc(n * KD),
        att: this.alloc(n * HD), lse: this.alloc(n * c.nHeads), xMid: this.alloc(n * C), rstd2: this.alloc(n),
        gate: this.alloc(n * F), up: this.alloc(n * F),
      });
    }
    if (sElems > this.capS) {
      this.capS = sElems;
      this.s = this.alloc(sElems);
      this.dp = allocFloat(this.dtype, 0);
    }
    if (this.lora !== null && this.loraSc === null) {
      this.loraSc = {
        dxa: this.alloc(this.capN * this.lora.maxRank),
        drop: this.lora.dropout > 0 ? this.alloc(this.capN * this.lora.maxIn) : null,
        dropGrad: this.lora.dropout > 0 ? this.alloc(this.capN * this.lora.maxIn) : null,
      };
    }
  }

  private gradScratch(): GradScratch {
    if (this.gs === null) {
      const c = this.config;
      const n = this.capN, C = c.hiddenSize, F = c.intermediateSize, HD = c.nHeads * c.headDim, KD = c.nKvHeads * c.headDim;
      this.gs = {
        dRes: this.alloc(n * C), dLn: this.alloc(n * C), dLnF: this.alloc(n * C), dH: this.alloc(n * F), dGate: this.alloc(n * F),
        dUp: this.alloc(n * F), dAtt: this.alloc(n * HD), dq: this.alloc(n * HD), dk: this.alloc(n * KD), dkPre: this.alloc(n * KD), dv: this.alloc(n * KD),
      };
    }
    if (this.dp.length < this.capS) this.dp = this.alloc(this.capS);
    return this.gs;
  }

  private headScratch(): HeadLossScratch {
    if (this.headSc === null) {
      const { vocabSize: V, hiddenSize: C } = this.config;
      const rows = Math.max(1, Math.min(this.capN, Math.floor(this.headChunkElems / V)));
      this.headSc = { rows: new Int32Array(rows), x: this.alloc(rows * C), logits: this.alloc(rows * V), dx: this.alloc(rows * C) };
    }
    return this.headSc;
  }

  // ---------------------------------------------------------------- inputs

  /** Copies a batch into `dst` with a per-value check; returns [B, T]. */
  private readBatch(src: TokenBatch, what: string, shape: [number, number] | null, check: (v: number) => string | null, write: (i: number, v: number) => void): [number, number] {
    let B: number, T: number;
    if (Array.isArray(src)) {
      const rows = src as readonly ArrayLike<number>[];
      B = rows.length;
      T = B > 0 ? rows[0].length : 0;
      if (shape && (B !== shape[0] || T !== shape[1])) fail("model.bad-input", `${what} has shape (${B}, ${T}), input_ids has (${shape[0]}, ${shape[1]})`, what);
      for (let b = 0; b < B; b++) {
        const r = rows[b];
        if (r.length !== T) fail("model.bad-input", `${what} row ${b} has ${r.length} tokens, row 0 has ${T}`, what, "pad every row of a batch to the same length");
        for (let t = 0; t < T; t++) {
          const v = r[t];
          const err = check(v);
          if (err !== null) fail("model.bad-input", `${what}[${b}][${t}] = ${v}: ${err}`, what);
          write(b * T + t, v);
        }
      }
    } else {
      const f = src as { data: ArrayLike<number>; B: number; T: number };
      B = f.B;
      T = f.T;
      if (!Number.isInteger(B) || !Number.isInteger(T) || f.data.length !== B * T) fail("model.bad-input", `${what} holds ${f.data.length} values, not B·T = ${B}·${T}`, what);
      if (shape && (B !== shape[0] || T !== shape[1])) fail("model.bad-input", `${what} has shape (${B}, ${T}), input_ids has (${shape[0]}, ${shape[1]})`, what);
      for (let i = 0; i < B * T; i++) {
        const v = f.data[i];
        const err = check(v);
        if (err !== null) fail("model.bad-input", `${what}[${Math.floor(i / T)}][${i % T}] = ${v}: ${err}`, what);
        write(i, v);
      }
    }
    return [B, T];
  }

  private static shapeOf(src: TokenBatch): [number, number] {
    if (Array.isArray(src)) {
      const rows = src as readonly ArrayLike<number>[];
      return [rows.length, rows.length > 0 ? rows[0].length : 0];
    }
    const f = src as { B: number; T: number };
    return [f.B, f.T];
  }

  private readIds(src: TokenBatch, what: string, shape: [number, number] | null, dst: Int32Array): [number, number] {
    const V = this.config.vocabSize;
    return this.readBatch(src, what, shape, (v) => (Number.isInteger(v) && v >= 0 && v < V ? null : `token ids must be integers in [0, ${V})`), (i, v) => { dst[i] = v; });
  }

  /** Copies ids, labels, mask and positions for (B,T) into the model's buffers. */
  private prepare(inputIds: TokenBatch, opts: ForwardOptions): [number, number] {
    const [B, T] = LlamaModel.shapeOf(inputIds);
    if (B < 1 || T < 1) fail("model.bad-input", `input_ids must hold at least one token, got shape (${B}, ${T})`, "input_ids");
    const N = B * T;
    this.ensure(N, attentionScratchSize(T, T), opts.noGrad ? 1 : this.config.nLayers);
    this.readIds(inputIds, "input_ids", null, this.ids);
    const shape: [number, number] = [B, T];
    const V = this.config.vocabSize;
    if (opts.labels !== undefined) {
      const tg = this.targets;
      this.readBatch(opts.labels, "labels", shape,
        (v) => (v === IGNORE_INDEX || (Number.isInteger(v) && v >= 0 && v < V) ? null : `labels must be -100 or token ids in [0, ${V})`),
        (i, v) => { if (i % T !== 0) tg[i - 1] = v; });
      for (let b = 0; b < B; b++) tg[b * T + T - 1] = IGNORE_INDEX;
    }
    this.hasMask = opts.attentionMask !== undefined;
    if (opts.attentionMask !== undefined) {
      const mk = this.mask;
      this.readBatch(opts.attentionMask, "attention_mask", shape, (v) => (v === 0 || v === 1 ? null : "attention_mask values must be 0 or 1"), (i, v) => { mk[i] = v; });
    }
    const pos = this.pos;
    let maxPos = T - 1;
    if (opts.positionIds !== undefined) {
      maxPos = 0;
      this.readBatch(opts.positionIds, "position_ids", shape, (v) => (Number.isInteger(v) && v >= 0 ? null : "position ids must be non-negative integers"),
        (i, v) => { pos[i] = v; if (v > maxPos) maxPos = v; });
    } else {
      for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) pos[b * T + t] = t;
    }
    this.rope.ensure(maxPos + 1);
    return [B, T];
  }

  // ---------------------------------------------------------------- forward

  private linearFwd(l: number, m: number, out: FloatArray, x: FloatArray, N: number, training: boolean): void {
    const lin = this.layers[l].lin[m];
    linearForward(out, x, lin.weight, lin.bias, N, lin.inF, lin.outF, this.kernels);
    const ll = this.loras[l][m];
    if (ll !== null) ll.forward(out, x, N, this.kernels, this.loraSc!, training);
  }

  private attnDims(B: number, T: number): AttentionDims {
    const c = this.config;
    return { B, Tq: T, Tk: T, H: c.nHeads, Hkv: c.nKvHeads, D: c.headDim, qStart: 0, kStride: T, window: c.slidingWindow ?? 0 };
  }

  /** Runs the blocks and the final norm over the prepared batch; block l keeps its activations in sets[l] (or sets[0]). */
  private forwardBlocks(B: number, T: number, noGrad: boolean, training: boolean): void {
    const c = this.config;
    const N = B * T, C = c.hiddenSize, F = c.intermediateSize, H = c.nHeads, Hkv = c.nKvHeads, D = c.headDim, L = c.nLayers;
    const setOf = (l: number): LayerActs => this.sets[noGrad ? 0 : l];
    const dims = this.attnDims(B, T);
    const mask = this.hasMask ? this.mask : null;
    embeddingForward(setOf(0).xIn, this.ids, this.embed, N, C); // (N) -> (N,C)
    for (let l = 0; l < L; l++) {
      const a = setOf(l);
      const w = this.layers[l];
      rmsNormForward(this.ln, a.rstd1, a.xIn, w.inNorm, N, C, c.rmsNormEps); // (N,C)
      this.linearFwd(l, Q, a.q, this.ln, N, training); // (N,C) -> (N,H·D)
      this.linearFwd(l, K, a.k, this.ln, N, training); // (N,C) -> (N,Hkv·D)
      this.linearFwd(l, VP, a.v, this.ln, N, training); // (N,C) -> (N,Hkv·D)
      ropeForward(a.q, a.q, this.pos, this.rope, N, H, D);
      ropeForward(a.k, a.k, this.pos, this.rope, N, Hkv, D);
      attentionForward(a.att, a.lse, a.q, a.k, a.v, mask, dims, this.s, this.kernels); // -> (N,H·D)
      this.linearFwd(l, O, this.tmpC, a.att, N, training); // (N,H·D) -> (N,C)
      for (let i = 0; i < N * C; i++) a.xMid[i] = a.xIn[i] + this.tmpC[i];
      rmsNormForward(this.ln, a.rstd2, a.xMid, w.postNorm, N, C, c.rmsNormEps);
      this.linearFwd(l, GATE, a.gate, this.ln, N, training); // (N,C) -> (N,F)
      this.linearFwd(l, UP, a.up, this.ln, N, training); // (N,C) -> (N,F)
      swigluForward(this.h, a.gate, a.up, N * F);
      this.linearFwd(l, DOWN, this.tmpC, this.h, N, training); // (N,F) -> (N,C)
      const next = l + 1 < L ? setOf(l + 1).xIn : this.xFinal;
      for (let i = 0; i < N * C; i++) next[i] = a.xMid[i] + this.tmpC[i];
    }
    rmsNormForward(this.lnF, this.rstdF, this.xFinal, this.normF, N, C, c.rmsNormEps);
  }

  /**
   * Forward pass over a batch; with labels returns the mean next-token loss (HF shift, −100 ignored; 0 when no
   * token is scored) and keeps what backward() needs unless `noGrad`. The (B,T,V) logits are never built.
   */
  forward(inputIds: TokenBatch, opts: ForwardOptions = {}): number | undefined {
    this.pending = null;
    const [B, T] = this.prepare(inputIds, opts);
    this.forwardBlocks(B, T, opts.noGrad === true, this.training);
    if (opts.labels === undefined) return undefined;
    const c = this.config;
    const r = headLossForward(this.lnF, this.head, this.targets, B * T, c.hiddenSize, c.vocabSize, this.headScratch(), this.kernels);
    this.lastTokenCount = r.kept;
    const normalizer = this.normalizer(opts, r.kept);
    if (opts.noGrad !== true) this.pending = { B, T, normalizer };
    return r.kept === 0 ? 0 : r.sum / normalizer;
  }

  private normalizer(opts: ForwardOptions, kept: number): number {
    const z = opts.lossNormalizer;
    if (z === undefined) return Math.max(1, kept);
    if (!(z > 0)) fail("model.bad-input", `lossNormalizer must be positive, got ${z}`, "forward options");
    return z;
  }

  /** Backward of the last forward(labels): accumulates into LoRA gradients (adapter attached) or weight gradients. */
  backward(): void {
    const p = this.pending;
    if (p === null) {
      fail("model.no-forward", "backward() needs a preceding forward() with labels and without noGrad", "model",
        "call forward(inputIds, { labels }) first; backward may run once per forward");
    }
    this.pending = null;
    const c = this.config;
    const N = p.B * p.T;
    const gs = this.gradScratch();
    gs.dLnF.fill(0, 0, N * c.hiddenSize);
    const dHead = this.lora === null ? (c.tieWordEmbeddings ? this.grads.get("model.embed_tokens.weight") : this.grads.get("lm_head.weight")) : null;
    headLossBackward(gs.dLnF, dHead, this.lnF, this.head, this.targets, 1 / p.normalizer, N, c.hiddenSize, c.vocabSize, this.headScratch(), this.kernels);
    this.backwardBlocks(p.B, p.T);
  }

  /** forward(labels) and backward() in one pass, computing each LM-head chunk once; returns the loss. */
  forwardBackward(inputIds: TokenBatch, opts: ForwardOptions & { labels: TokenBatch }): number {
    this.pending = null;
    const [B, T] = this.prepare(inputIds, { ...opts, noGrad: false });
    this.forwardBlocks(B, T, false, this.training);
    const c = this.config;
    const N = B * T;
    const gs = this.gradScratch();
    gs.dLnF.fill(0, 0, N * c.hiddenSize);
    let kept = 0;
    for (let i = 0; i < N; i++) if (this.targets[i] >= 0) kept++;
    const normalizer = this.normalizer(opts, kept);
    const dHead = this.lora === null ? (c.tieWordEmbeddings ? this.grads.get("model.embed_tokens.weight") : this.grads.get("lm_head.weight")) : null;
    const r = headLossBackward(gs.dLnF, dHead, this.lnF, this.head, this.targets, 1 / normalizer, N, c.hiddenSize, c.vocabSize, this.headScratch(), this.kernels);
    this.lastTokenCount = r.kept;
    this.backwardBlocks(B, T);
    return r.kept === 0 ? 0 : r.sum / normalizer;
  }

  private layerGrads(l: number): LayerGrads {
    const g = this.grads;
    const pre = `model.layers.${l}.`;
    return {
      inNorm: g.get(pre + "input_layernorm.weight"),
      postNorm: g.get(pre + "post_attention_layernorm.weight"),
      w: PROJ_PATHS.map((path) => g.get(`${pre}${path}.weight`)),
      b: PROJ_PATHS.map((path) => (g.has(`${pre}${path}.bias`) ? g.get(`${pre}${path}.bias`) : null)),
    };
  }

  private layerGradCache: LayerGrads[] | null = null;

  private linearBwd(l: number, m: number, dx: FloatArray | null, dout: FloatArray, x: FloatArray, N: number, g: LayerGrads | null): void {
    const lin = this.layers[l].lin[m];
    linearBackward(dx, g === null ? null : g.w[m], g === null ? null : g.b[m], dout, x, lin.weight, N, lin.inF, lin.outF, this.kernels);
    const ll = this.loras[l][m];
    if (ll !== null) ll.backward(dx, dout, x, N, this.kernels, this.loraSc!);
  }

  /** Backward through the blocks from gs.dLnF (gradient of the final-norm output). */
  private backwardBlocks(B: number, T: number): void {
    const c = this.config;
    const N = B * T, C = c.hiddenSize, F = c.intermediateSize, H = c.nHeads, Hkv = c.nKvHeads, D = c.headDim, L = c.nLayers;
    const NC = N * C, NF = N * F, NHD = N * H * D, NKD = N * Hkv * D;
    const full = this.lora === null;
    if (full && this.layerGradCache === null) this.layerGradCache = this.layers.map((_, l) => this.layerGrads(l));
    const gs = this.gs!;
    const dims = this.attnDims(B, T);
    const mask = this.hasMask ? this.mask : null;
    const { dRes, dLn, dH, dGate, dUp, dAtt, dq, dk, dkPre, dv } = gs;
    dRes.fill(0, 0, NC);
    rmsNormBackward(dRes, full ? this.grads.get("model.norm.weight") : null, gs.dLnF, this.xFinal, this.normF, this.rstdF, N, C);
    for (let l = L - 1; l >= 0; l--) {
      const a = this.sets[l];
      const w = this.layers[l];
      const g = full ? this.layerGradCache![l] : null;
      // MLP: x_{l+1} = xMid + down(silu(gate(ln2))·up(ln2)), ln2 = norm(xMid)
      rmsNormForward(this.ln, this.rstdTmp, a.xMid, w.postNorm, N, C, c.rmsNormEps);
      swigluForward(this.h, a.gate, a.up, NF);
      dH.fill(0, 0, NF);
      this.linearBwd(l, DOWN, dH, dRes, this.h, N, g);
      dGate.fill(0, 0, NF);
      dUp.fill(0, 0, NF);
      swigluBackward(dGate, dUp, dH, a.gate, a.up, NF);
      dLn.fill(0, 0, NC);
      this.linearBwd(l, GATE, dLn, dGate, this.ln, N, g);
      this.linearBwd(l, UP, dLn, dUp, this.ln, N, g);
      rmsNormBackward(dRes, g === null ? null : g.postNorm, dLn, a.xMid, w.postNorm, a.rstd2, N, C); // dRes: d xMid
      // attention: xMid = xIn + o(attn(rope(q(ln1)), rope(k(ln1)), v(ln1))), ln1 = norm(xIn)
      dAtt.fill(0, 0, NHD);
      this.linearBwd(l, O, dAtt, dRes, a.att, N, g);
      dq.fill(0, 0, NHD);
      dk.fill(0, 0, NKD);
      dv.fill(0, 0, NKD);
      attentionBackward(dq, dk, dv, dAtt, a.q, a.k, a.v, a.lse, mask, dims, this.s, this.dp, this.kernels);
      dAtt.fill(0, 0, NHD); // reused as dq before RoPE
      ropeBackward(dAtt, dq, this.pos, this.rope, N, H, D);
      dkPre.fill(0, 0, NKD);
      ropeBackward(dkPre, dk, this.pos, this.rope, N, Hkv, D);
      rmsNormForward(this.ln, this.rstdTmp, a.xIn, w.inNorm, N, C, c.rmsNormEps);
      const needDx = l > 0 || full;
      if (needDx) dLn.fill(0, 0, NC);
      this.linearBwd(l, Q, needDx ? dLn : null, dAtt, this.ln, N, g);
      this.linearBwd(l, K, needDx ? dLn : null, dkPre, this.ln, N, g);
      this.linearBwd(l, VP, needDx ? dLn : null, dv, this.ln, N, g);
      if (needDx) rmsNormBackward(dRes, g === null ? null : g.inNorm, dLn, a.xIn, w.inNorm, a.rstd1, N, C); // dRes: d xIn
    }
    if (full) embeddingBackward(this.grads.get("model.embed_tokens.weight"), dRes, this.ids, N, C);
  }

  /** Full logits (B,T,V) of a batch, a new buffer (inference: no dropout; training uses the chunked loss). */
  logits(inputIds: TokenBatch, opts: Pick<ForwardOptions, "attentionMask" | "positionIds"> = {}): FloatArray {
    this.pending = null;
    const [B, T] = this.prepare(inputIds, { ...opts, noGrad: true });
    this.forwardBlocks(B, T, true, false);
    const c = this.config;
    const out = this.alloc(B * T * c.vocabSize);
    linearForward(out, this.lnF, this.head, null, B * T, c.hiddenSize, c.vocabSize, this.kernels); // (N,C) -> (N,V)
    return out;
  }

  // ---------------------------------------------------------------- decoding with a KV cache

  /** A KV cache for B sequences of up to maxSeqLen tokens. */
  createCache(B: number, maxSeqLen: number): KvCache {
    if (!Number.isInteger(B) || B < 1 || !Number.isInteger(maxSeqLen) || maxSeqLen < 1) {
      fail("model.bad-input", `a KV cache needs positive integer B and maxSeqLen, got ${B} and ${maxSeqLen}`, "createCache");
    }
    const c = this.config;
    return new KvCache(c.nLayers, B, maxSeqLen, c.nKvHeads * c.headDim, this.dtype);
  }

  /**
   * Feeds (B,Tn) new tokens (a prompt, or more of one) through the model, appending to the cache; returns the
   * logits (B,V) after each row's last token. With left padding pass the attention mask: positions then count
   * real tokens only (HF generate). The returned buffer is reused by the next call.
   */
  prefill(cache: KvCache, inputIds: TokenBatch, opts: { attentionMask?: TokenBatch } = {}): FloatArray {
    const [B, Tn] = LlamaModel.shapeOf(inputIds);
    if (B !== cache.B) fail("model.bad-input", `input_ids has ${B} rows, the KV cache holds ${cache.B} sequences`, "prefill");
    if (Tn < 1) fail("model.bad-input", "prefill needs at least one token per row", "prefill");
    this.ensure(B * Tn, attentionScratchSize(Tn, cache.length + Tn), 1);
    this.readIds(inputIds, "input_ids", null, this.ids);
    if (opts.attentionMask !== undefined) {
      const mk = this.mask;
      this.readBatch(opts.attentionMask, "attention_mask", [B, Tn], (v) => (v === 0 || v === 1 ? null : "attention_mask values must be 0 or 1"), (i, v) => { mk[i] = v; });
    } else this.mask.fill(1, 0, B * Tn);
    return this.runCached(cache, B, Tn);
  }

  /** Feeds one new token per sequence; returns the next-token logits (B,V) (buffer reused by the next call). */
  decodeStep(cache: KvCache, tokens: ArrayLike<number>): FloatArray {
    const B = cache.B;
    if (tokens.length !== B) fail("model.bad-input", `decodeStep got ${tokens.length} tokens for ${B} sequences`, "decodeStep");
    this.ensure(B, attentionScratchSize(1, cache.length + 1), 1);
    const V = this.config.vocabSize;
    for (let b = 0; b < B; b++) {
      const v = tokens[b];
      if (!Number.isInteger(v) || v < 0 || v >= V) fail("model.bad-input", `token id ${v} for sequence ${b} is outside [0, ${V})`, "decodeStep");
      this.ids[b] = v;
      this.mask[b] = 1;
    }
    return this.runCached(cache, B, 1);
  }

  private runCached(cache: KvCache, B: number, Tn: number): FloatArray {
    const c = this.config;
    const N = B * Tn, C = c.hiddenSize, F = c.intermediateSize, H = c.nHeads, Hkv = c.nKvHeads, D = c.headDim, KD = Hkv * D, V = c.vocabSize;
    const len = cache.length;
    const S = cache.maxSeqLen;
    if (len + Tn > S) fail("model.cache-full", `the KV cache holds ${S} tokens; ${len} are used and ${Tn} more were fed`, "KV cache", "create the cache with a larger maxSeqLen");
    this.pending = null;
    let maxPos = 0;
    for (let b = 0; b < B; b++) {
      let p = cache.nextPos[b];
      for (let t = 0; t < Tn; t++) {
        const m = this.mask[b * Tn + t];
        cache.keyMask[b * S + len + t] = m;
        this.pos[b * Tn + t] = m ? p++ : 1;
      }
      cache.nextPos[b] = p;
      if (p > maxPos) maxPos = p;
    }
    this.rope.ensure(maxPos + 1);
    const a = this.sets[0];
    const dims: AttentionDims = { B, Tq: Tn, Tk: len + Tn, H, Hkv, D, qStart: len, kStride: S, window: c.slidingWindow ?? 0 };
    embeddingForward(a.xIn, this.ids, this.embed, N, C);
    for (let l = 0; l < c.nLayers; l++) {
      const w = this.layers[l];
      rmsNormForward(this.ln, a.rstd1, a.xIn, w.inNorm, N, C, c.rmsNormEps);
      this.linearFwd(l, Q, a.q, this.ln, N, false);
      this.linearFwd(l, K, a.k, this.ln, N, false);
      this.linearFwd(l, VP, a.v, this.ln, N, false);
      ropeForward(a.q, a.q, this.pos, this.rope, N, H, D);
      ropeForward(a.k, a.k, this.pos, this.rope, N, Hkv, D);
      const ck = cache.k[l], cv = cache.v[l];
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < Tn; t++) {
          const src = (b * Tn + t) * KD;
          const dst = (b * S + len + t) * KD;
          for (let j = 0; j < KD; j++) {
            ck[dst + j] = a.k[src + j];
            cv[dst + j] = a.v[src + j];
          }
        }
      }
      attentionForward(a.att, a.lse, a.q, ck, cv, cache.keyMask, dims, this.s, this.kernels);
      this.linearFwd(l, O, this.tmpC, a.att, N, false);
      for (let i = 0; i < N * C; i++) a.xMid[i] = a.xIn[i] + this.tmpC[i];
      rmsNormForward(this.ln, a.rstd2, a.xMid, w.postNorm, N, C, c.rmsNormEps);
      this.linearFwd(l, GATE, a.gate, this.ln, N, false);
      this.linearFwd(l, UP, a.up, this.ln, N, false);
      swigluForward(this.h, a.gate, a.up, N * F);
      this.linearFwd(l, DOWN, this.tmpC, this.h, N, false);
      for (let i = 0; i < N * C; i++) a.xIn[i] = a.xMid[i] + this.tmpC[i];
    }
    cache.length = len + Tn;
    // final norm and head on each row's last token only
    for (let b = 0; b < B; b++) {
      const src = (b * Tn + Tn - 1) * C;
      for (let j = 0; j < C; j++) this.xFinal[b * C + j] = a.xIn[src + j];
    }
    rmsNormForward(this.lnF, this.rstdF, this.xFinal, this.normF, B, C, c.rmsNormEps);
    if (this.lastLogits.length !== B * V) this.lastLogits = this.alloc(B * V);
    linearForward(this.lastLogits, this.lnF, this.head, null, B, C, V, this.kernels); // (B,C) -> (B,V)
    return this.lastLogits;
  }
}

/** Sort key of a module path: layer, then q,k,v,o,gate,up,down (the layout order of a fresh adapter). */
function moduleOrder(module: string): number {
  const mt = /^model\.layers\.(\d+)\.(.+)$/.exec(module)!;
  return Number(mt[1]) * 16 + PROJ_PATHS.indexOf(mt[2]);
}
