// GGUF hyper-parameter metadata (`llama.block_count`, `qwen2.attention.head_count`, ...) <-> ModelConfig, as
// llama.cpp's convert_hf_to_gguf.py writes them. Llama 3 rope scaling travels as the `rope_freqs.weight` tensor of
// per-frequency divisors; we compute it from the config and fit the config back from it.
import { GGUFValueType } from "@huggingface/gguf";
import { MedtuneError } from "../core/index.ts";
import { shortestF32 } from "./half.ts";
import type { Arch, Llama3RopeScaling, ModelConfig } from "./model-config.ts";
import { metaNumber, metaString, readGgufTensor, type GgufFile, type GgufTypedValue } from "./gguf-read.ts";

/** GGUF `general.architecture` values we load, and the ModelConfig arch each becomes. */
export const GGUF_ARCHS: Record<string, Arch> = { llama: "llama", qwen2: "qwen2" };

const NO_ID = 0xffffffff;

function tokenId(file: GgufFile, key: string): number | undefined {
  const v = metaNumber(file, key);
  return v === undefined || v < 0 || v === NO_ID ? undefined : v;
}

/** Builds a ModelConfig from GGUF metadata (and the rope_freqs tensor for Llama 3 scaling). */
export function ggufToModelConfig(file: GgufFile): ModelConfig {
  const where = file.path;
  const ga = metaString(file, "general.architecture");
  if (!ga || !(ga in GGUF_ARCHS)) {
    throw new MedtuneError("model.unsupported-arch", `unsupported GGUF architecture ${JSON.stringify(ga ?? null)}`, {
      where,
      hint: `supported: ${Object.keys(GGUF_ARCHS).join(", ")} (Mistral and Llama 2/3 GGUFs use "llama")`,
    });
  }
  const arch = GGUF_ARCHS[ga];
  const need = (k: string): number => {
    const v = metaNumber(file, `${ga}.${k}`);
    if (v === undefined) throw new MedtuneError("gguf.missing-metadata", `metadata ${ga}.${k} is missing`, { where, hint: "the GGUF file is incomplete; re-convert it with llama.cpp's convert_hf_to_gguf.py" });
    return v;
  };
  const opt = (k: string): number | undefined => metaNumber(file, `${ga}.${k}`);
  const C = need("embedding_length");
  const H = need("attention.head_count");
  const Hkv = opt("attention.head_count_kv") ?? H;
  const headDim = opt("attention.key_length") ?? C / H;
  const valueDim = opt("attention.value_length") ?? headDim;
  if (valueDim !== headDim) throw new MedtuneError("model.unsupported", `attention.value_length ${valueDim} differs from key_length ${headDim}`, { where });
  const ropeDim = opt("rope.dimension_count") ?? headDim;
  if (ropeDim !== headDim) {
    throw new MedtuneError("model.unsupported", `partial RoPE (rope.dimension_count ${ropeDim} < head width ${headDim}) is not supported`, { where });
  }
  const scalingType = metaString(file, `${ga}.rope.scaling.type`);
  if (scalingType && scalingType !== "none") {
    throw new MedtuneError("model.unsupported-rope", `unsupported rope scaling type "${scalingType}"`, { where, hint: 'supported: none and "llama3" (rope_freqs tensor)' });
  }
  const names = new Set(file.tensors.map((t) => t.name));
  const embd = file.tensors.find((t) => t.name === "token_embd.weight");
  const tokens = file.metadata["tokenizer.ggml.tokens"];
  const vocab = opt("vocab_size") ?? (Array.isArray(tokens) ? tokens.length : undefined) ?? embd?.ne[1];
  if (vocab === undefined) throw new MedtuneError("gguf.missing-metadata", "cannot tell the vocabulary size (no vocab_size, tokens or token_embd)", { where });
  const eos = [tokenId(file, "tokenizer.ggml.eos_token_id"), tokenId(file, "tokenizer.ggml.eot_token_id"), tokenId(file, "tokenizer.ggml.eom_token_id")].filter(
    (x): x is number => x !== undefined,
  );
  const theta = opt("rope.freq_base") ?? 10000;
  const config: ModelConfig = {
    arch,
    vocabSize: vocab,
    hiddenSize: C,
    intermediateSize: need("feed_forward_length"),
    nLayers: need("block_count"),
    nHeads: H,
    nKvHeads: Hkv,
    headDim,
    rmsNormEps: shortestF32(need("attention.layer_norm_rms_epsilon")),
    ropeTheta: shortestF32(theta),
    maxPositionEmbeddings: opt("context_length") ?? 2048,
    tieWordEmbeddings: !names.has("output.weight"),
    attentionBias: arch === "qwen2" || names.has("blk.0.attn_q.bias"),
    eosTokenIds: [...new Set(eos)],
  };
  const bos = tokenId(file, "tokenizer.ggml.bos_token_id");
  const pad = tokenId(file, "tokenizer.ggml.padding_token_id");
  if (bos !== undefined) config.bosTokenId = bos;
  if (pad !== undefined) config.padTokenId = pad;
  const sw = opt("attention.sliding_window");
  if (sw) config.slidingWindow = sw;
  if (names.has("rope_freqs.weight")) {
    const rs = fitLlama3RopeScaling(readGgufTensor(file, "rope_freqs.weight"), config.ropeTheta, headDim, config.maxPositionEmbeddings, where);
    if (rs) config.ropeScaling = rs;
  }
  return config;
}

/** Per-frequency RoPE divisors for Llama 3 scaling, as convert_hf_to_gguf.py writes `rope_freqs.weight` (D/2 values). */
export function llama3RopeFactors(s: Llama3RopeScaling, theta: number, headDim: number): Float32Array {
  const out = new Float32Array(headDim / 2);
  const lowWavelen = s.originalMaxPositionEmbeddings / s.lowFreqFactor;
  const highWavelen = s.originalMaxPositionEmbeddings / s.highFreqFactor;
  for (let i = 0; i < headDim / 2; i++) {
    const freq = 1 / Math.fround(theta ** Math.fround((2 * i) / headDim));
    const wavelen = (2 * Math.PI) / freq;
    if (wavelen < highWavelen) out[i] = 1;
    else if (wavelen > lowWavelen) out[i] = s.factor;
    else {
      const smooth = (s.originalMaxPositionEmbeddings / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
      out[i] = 1 / ((1 - smooth) / s.factor + smooth);
    }
  }
  return out;
}

function sameFactors(a: Float32Array, b: Float32Array): boolean {
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) > 1e-4 * Math.max(1, Math.abs(a[i]))) return false;
  return true;
}

/**
 * Recovers Llama 3 rope scaling from `rope_freqs` divisors. Only the ratios original_max/low_freq_factor and
 * high_freq_factor/low_freq_factor are observable, so low_freq_factor is set to 1 (Llama 3's value); the factors
 * the result implies are checked against the file.
 */
export function fitLlama3RopeScaling(ff: Float32Array, theta: number, headDim: number, maxPos: number, where: string): Llama3RopeScaling | undefined {
  const n = headDim / 2;
  if (ff.length !== n) throw new MedtuneError("gguf.bad-tensor", `rope_freqs.weight has ${ff.length} values, expected head_dim/2 = ${n}`, { where });
  let factor = 0;
  for (const v of ff) factor = Math.max(factor, v);
  if (Math.abs(factor - 1) < 1e-6) return undefined;
  const w = Array.from({ length: n }, (_, i) => 2 * Math.PI * Math.fround(theta ** Math.fround((2 * i) / headDim)));
  const isOne = (v: number): boolean => Math.abs(v - 1) < 1e-6;
  const isMax = (v: number): boolean => Math.abs(v - factor) < 1e-6 * factor;
  const mids: Array<{ w: number; s: number }> = [];
  let maxW1 = 0, minWNot1 = Infinity, maxWNotMax = 0, minWMax = Infinity;
  for (let i = 0; i < n; i++) {
    if (isOne(ff[i])) maxW1 = Math.max(maxW1, w[i]);
    else minWNot1 = Math.min(minWNot1, w[i]);
    if (isMax(ff[i])) minWMax = Math.min(minWMax, w[i]);
    else maxWNotMax = Math.max(maxWNotMax, w[i]);
    if (!isOne(ff[i]) && !isMax(ff[i])) mids.push({ w: w[i], s: (1 / ff[i] - 1 / factor) / (1 - 1 / factor) });
  }
  // With lo = 1: s·(hi - 1) = L/w - 1, i.e. L·(1/w) - s·hi = 1 - s. Candidates, most specific first; the first
  // whose factors reproduce the file wins (Llama 3's high_freq_factor 4 and power-of-two contexts when underdetermined).
  const round = (x: number, tol: number): number => (Math.abs(x - Math.round(x)) < tol ? Math.round(x) : x);
  const candidates: Array<[number, number]> = [];
  if (mids.length >= 2) {
    let a11 = 0, a12 = 0, a22 = 0, b1 = 0, b2 = 0;
    for (const { w: wi, s } of mids) {
      const x1 = 1 / wi, x2 = -s, y = 1 - s;
      a11 += x1 * x1; a12 += x1 * x2; a22 += x2 * x2; b1 += x1 * y; b2 += x2 * y;
    }
    const det = a11 * a22 - a12 * a12;
    candidates.push([(b1 * a22 - a12 * b2) / det, (a11 * b2 - a12 * b1) / det]);
  }
  if (mids.length >= 1) candidates.push([mids.reduce((a, { w: wi, s }) => a + wi * (3 * s + 1), 0) / mids.length, 4]);
  for (let L = 2 ** 20; L >= 16; L /= 2) candidates.push([L, 4]);
  const T = Math.sqrt(Math.max(maxW1, 1e-9) * (Number.isFinite(minWNot1) ? minWNot1 : maxW1 * 2));
  const Lg = Math.sqrt(Math.max(maxWNotMax, 1e-9) * (Number.isFinite(minWMax) ? minWMax : maxWNotMax * 2));
  candidates.push([Lg, Lg / T]);
  for (const [L, hi] of candidates) {
    const fit: Llama3RopeScaling = { type: "llama3", factor: shortestF32(factor), lowFreqFactor: 1, highFreqFactor: round(hi, 1e-4), originalMaxPositionEmbeddings: round(L, 1e-2) };
    if (fit.highFreqFactor > 1 && fit.originalMaxPositionEmbeddings > 0 && sameFactors(ff, llama3RopeFactors(fit, theta, headDim))) return fit;
  }
  throw new MedtuneError("model.unsupported-rope", "rope_freqs.weight does not follow Llama 3 rope scaling", { where, hint: `context ${maxPos}; only llama3-style frequency factors are supported` });
}

/** GGUF `general.file_type` ids (llama.h `llama_ftype`). */
export const GGUF_FILE_TYPE: Record<string, number> = {
  F32: 0, F16: 1, Q4_0: 2, Q4_1: 3, Q8_0: 7, Q5_0: 8, Q5_1: 9, Q2_K: 10, Q3_K_M: 12, Q4_K_S: 14, Q4_K_M: 15,
  Q5_K_S: 16, Q5_K_M: 17, Q6_K: 18, BF16: 32,
};

const u32 = (value: number): GgufTypedValue => ({ value, type: GGUFValueType.UINT32 });
const f32 = (value: number): GgufTypedValue => ({ value, type: GGUFValueType.FLOAT32 });
const str = (value: string): GgufTypedValue => ({ value, type: GGUFValueType.STRING });

/** The hyper-parameter metadata llama.cpp expects for a ModelConfig (architecture keys, no tokenizer). */
export function modelConfigToGguf(config: ModelConfig, opts: { name?: string; fileType?: number } = {}): Map<string, GgufTypedValue> {
  const a = config.arch === "qwen2" ? "qwen2" : "llama"; // llama.cpp runs Mistral as "llama"
  const m = new Map<string, GgufTypedValue>();
  m.set("general.architecture", str(a));
  m.set("general.type", str("model"));
  m.set("general.name", str(opts.name ?? "medtune export"));
  if (opts.fileType !== undefined) m.set("general.file_type", u32(opts.fileType));
  m.set(`${a}.vocab_size`, u32(config.vocabSize));
  m.set(`${a}.context_length`, u32(config.maxPositionEmbeddings));
  m.set(`${a}.embedding_length`, u32(config.hiddenSize));
  m.set(`${a}.block_count`, u32(config.nLayers));
  m.set(`${a}.feed_forward_length`, u32(config.intermediateSize));
  m.set(`${a}.rope.dimension_count`, u32(config.headDim));
  m.set(`${a}.attention.head_count`, u32(config.nHeads));
  m.set(`${a}.attention.head_count_kv`, u32(config.nKvHeads));
  if (config.headDim * config.nHeads !== config.hiddenSize) {
    m.set(`${a}.attention.key_length`, u32(config.headDim));
    m.set(`${a}.attention.value_length`, u32(config.headDim));
  }
  m.set(`${a}.attention.layer_norm_rms_epsilon`, f32(config.rmsNormEps));
  m.set(`${a}.rope.freq_base`, f32(config.ropeTheta));
  return m;
}
