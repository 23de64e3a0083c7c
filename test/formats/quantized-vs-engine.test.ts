// Issue 3: a GGUF written by our quantizer gives, in llama.cpp (CPU), the log-probs our engine gives from its dequantized
// weights, up to llama.cpp rounding every matmul input first (ggml vec_dot_type: q8_0 blocks for Q4_0/Q5_0/Q8_0, q8_K
// for K-quants, F16 for F16; quantize_row_q8_0 / quantize_row_q8_K_ref in ggml-quants.c). A test-only forward with
// that rounding reproduces llama.cpp to float precision at nearly every position, the rest being single rounding
// flips from float noise: the whole gap is the rounding. The plain engine stays within a stated bound.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Llama } from "node-llama-cpp";
import { Rng } from "../../src/core/index.ts";
import { expectedTensors, f16ToF32, f32ToF16, loadGgufModel, loadHfModel, parseHfConfig, saveGgufModel, type GgufPreset, type ModelConfig, type TensorMap } from "../../src/formats/index.ts";
import { LlamaModel } from "../../src/nn/index.ts";
import { loadHfTokenizer } from "../../src/tokenizer/index.ts";
import { sharedPath } from "../helpers/shared.ts";
import { llamaOrSkip, disposeLlama, llamaLogprobsEach } from "../helpers/llama.ts";
import { tmpDir } from "../helpers/tmp.ts";

const fr = Math.fround;

// ---------------------------------------------------------------- llama.cpp's activation rounding

/** ggml's round-to-nearest-even of a float32 (nearest_int, _mm256_round_ps). */
function roundEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** quantize_row_q8_0 (x86 AVX path) then dequantize: per 32, d = fp16(amax/127), q = round_even(x·(127/amax)). */
function roundQ8_0(x: Float32Array): void {
  for (let b = 0; b < x.length; b += 32) {
    let amax = 0;
    for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[b + j]));
    const d = f16ToF32(f32ToF16(fr(amax / 127)));
    const id = amax !== 0 ? fr(127 / amax) : 0;
    for (let j = 0; j < 32; j++) x[b + j] = fr(roundEven(fr(x[b + j] * id)) * d);
  }
}

/** quantize_row_q8_K_ref then dequantize: per 256, iscale = −127/max (signed), q = min(127, nearest(iscale·x)), d = 1/iscale. */
function roundQ8_K(x: Float32Array): void {
  for (let b = 0; b < x.length; b += 256) {
    let amax = 0, max = 0;
    for (let j = 0; j < 256; j++) {
      const ax = Math.abs(x[b + j]);
      if (ax > amax) {
        amax = ax;
        max = x[b + j];
      }
    }
    if (amax === 0) continue;
    const iscale = fr(-127 / max);
    const d = fr(1 / iscale);
    for (let j = 0; j < 256; j++) x[b + j] = fr(Math.min(127, roundEven(fr(iscale * x[b + j]))) * d);
  }
}

/**
 * CPUs where llama.cpp's prebuilt binaries pick the AMX backend (Sapphire Rapids and later): there an F16 weight
 * whose output rows are a multiple of 32 and input a multiple of 16 multiplies float32 activations directly.
 */
const HAS_AMX = (() => {
  try {
    const flags = readFileSync("/proc/cpuinfo", "utf8");
    return ["amx_int8", "amx_tile", "avx512_vnni", "avx512_bf16", "avx512vbmi"].every((f) => new RegExp(`\\b${f}\\b`).test(flags));
  } catch {
    return false;
  }
})();

/** What llama.cpp does to the input of a matmul with an (out x in) weight of `type` (its vec_dot_type). */
function activationRounding(type: string, out: number, inner: number): ((x: Float32Array) => void) | null {
  switch (type) {
    case "F32": return null;
    case "F16":
      if (HAS_AMX && out % 32 === 0 && inner % 16 === 0) return null;
      return (x) => { for (let i = 0; i < x.length; i++) x[i] = f16ToF32(f32ToF16(x[i])); };
    case "Q4_0": case "Q5_0": case "Q8_0": return roundQ8_0;
    case "Q4_K": case "Q5_K": case "Q6_K": return roundQ8_K;
    default: throw new Error(`no activation-rounding rule for ${type} weights in this test (q8_1 types need the s term too)`);
  }
}

// ---------------------------------------------------------------- a test-only float32 forward, op by op like ggml's

interface Weights {
  config: ModelConfig;
  tensors: TensorMap;
  /** GGML type of each HF tensor in the file */
  types: Map<string, string>;
}

/** out(N,O) = x(N,I)·Wᵀ with x rounded per row as llama.cpp rounds it for W's type (or not at all). */
function matmul(w: Weights, name: string, x: Float32Array, N: number, emulate: boolean): Float32Array {
  const W = w.tensors.get(name)!;
  const [O, I] = W.shape;
  const round = emulate ? activationRounding(w.types.get(name)!, O, I) : null;
  const out = new Float32Array(N * O);
  for (let n = 0; n < N; n++) {
    const row = x.slice(n * I, (n + 1) * I);
    round?.(row);
    for (let o = 0; o < O; o++) {
      let s = 0;
      for (let i = 0; i < I; i++) s += W.data[o * I + i] * row[i];
      out[n * O + o] = s;
    }
  }
  return out;
}

/** ggml_rms_norm (sum of squares in double, scale = 1/sqrtf(mean + eps)) then ggml_mul by the weight. */
function rmsNorm(x: Float32Array, g: Float32Array, N: number, C: number, eps: number): Float32Array {
  const out = new Float32Array(N * C);
  for (let n = 0; n < N; n++) {
    let sum = 0;
    for (let c = 0; c < C; c++) sum += fr(x[n * C + c] * x[n * C + c]);
    const scale = fr(1 / fr(Math.sqrt(fr(fr(sum / C) + eps))));
    for (let c = 0; c < C; c++) out[n * C + c] = fr(fr(x[n * C + c] * scale) * g[c]);
  }
  return out;
}

/** RoPE as ggml_rope_cache_init computes it (theta_i = theta_{i−1}·theta_scale in float32), on HF rotate_half pairs (j, j+D/2). */
function rope(x: Float32Array, N: number, heads: number, D: number, base: number): void {
  const thetaScale = fr(Math.pow(fr(base), fr(-2 / D)));
  for (let p = 0; p < N; p++) {
    const cos = new Float32Array(D / 2), sin = new Float32Array(D / 2);
    let theta = fr(p);
    for (let j = 0; j < D / 2; j++) {
      cos[j] = fr(Math.cos(theta));
      sin[j] = fr(Math.sin(theta));
      theta = fr(theta * thetaScale);
    }
    for (let h = 0; h < heads; h++) {
      const o = (p * heads + h) * D;
      for (let j = 0; j < D / 2; j++) {
        const x0 = x[o + j], x1 = x[o + j + D / 2];
        x[o + j] = fr(x0 * cos[j]) - fr(x1 * sin[j]);
        x[o + j + D / 2] = fr(x0 * sin[j]) + fr(x1 * cos[j]);
      }
    }
  }
}

/** Log-probs (T,V) of the next token after each position; `emulate` rounds matmul inputs like llama.cpp's CPU backend. */
function referenceForward(w: Weights, ids: number[], emulate: boolean): Float64Array[] {
  const c = w.config;
  if (c.ropeScaling || c.attentionBias || c.tieWordEmbeddings) throw new Error("the test forward covers plain Llama only");
  const T = ids.length, C = c.hiddenSize, H = c.nHeads, Hkv = c.nKvHeads, D = c.headDim, F = c.intermediateSize, V = c.vocabSize;
  const get = (n: string): Float32Array => w.tensors.get(n)!.data;
  let x = new Float32Array(T * C);
  ids.forEach((id, t) => x.set(get("model.embed_tokens.weight").subarray(id * C, (id + 1) * C), t * C)); // get_rows: exact dequantization
  const kqScale = fr(1 / Math.sqrt(D));
  for (let l = 0; l < c.nLayers; l++) {
    const p = `model.layers.${l}.`;
    const h = rmsNorm(x, get(p + "input_layernorm.weight"), T, C, c.rmsNormEps);
    const q = matmul(w, p + "self_attn.q_proj.weight", h, T, emulate);
    const k = matmul(w, p + "self_attn.k_proj.weight", h, T, emulate);
    const v = matmul(w, p + "self_attn.v_proj.weight", h, T, emulate);
    rope(q, T, H, D, c.ropeTheta);
    rope(k, T, Hkv, D, c.ropeTheta);
    const att = new Float32Array(T * H * D);
    const s = new Float64Array(T);
    for (let hh = 0; hh < H; hh++) {
      const kv = Math.floor(hh / (H / Hkv));
      for (let i = 0; i < T; i++) {
        let mx = -Infinity;
        for (let j = 0; j <= i; j++) {
          let dot = 0;
          for (let d = 0; d < D; d++) dot += q[(i * H + hh) * D + d] * k[(j * Hkv + kv) * D + d];
          s[j] = fr(fr(dot) * kqScale);
          mx = Math.max(mx, s[j]);
        }
        let sum = 0;
        for (let j = 0; j <= i; j++) sum += (s[j] = fr(Math.exp(s[j] - mx)));
        const inv = fr(1 / sum);
        for (let d = 0; d < D; d++) {
          let o = 0;
          for (let j = 0; j <= i; j++) o += v[(j * Hkv + kv) * D + d] * fr(s[j] * inv);
          att[(i * H + hh) * D + d] = o;
        }
      }
    }
    const o = matmul(w, p + "self_attn.o_proj.weight", att, T, emulate);
    const mid = x.map((a, i) => a + o[i]);
    const h2 = rmsNorm(mid, get(p + "post_attention_layernorm.weight"), T, C, c.rmsNormEps);
    const gate = matmul(w, p + "mlp.gate_proj.weight", h2, T, emulate);
    const up = matmul(w, p + "mlp.up_proj.weight", h2, T, emulate);
    const act = new Float32Array(T * F);
    for (let i = 0; i < T * F; i++) act[i] = fr(fr(gate[i] / fr(1 + Math.exp(-gate[i]))) * up[i]);
    const down = matmul(w, p + "mlp.down_proj.weight", act, T, emulate);
    x = mid.map((a, i) => a + down[i]);
  }
  const logits = matmul(w, "lm_head.weight", rmsNorm(x, get("model.norm.weight"), T, C, c.rmsNormEps), T, emulate);
  return Array.from({ length: T }, (_, t) => logSoftmax(logits.subarray(t * V, (t + 1) * V)));
}

function logSoftmax(z: ArrayLike<number>): Float64Array {
  let mx = -Infinity;
  for (let i = 0; i < z.length; i++) mx = Math.max(mx, z[i]);
  let sum = 0;
  for (let i = 0; i < z.length; i++) sum += Math.exp(z[i] - mx);
  const lse = mx + Math.log(sum);
  return Float64Array.from(z, (v) => v - lse);
}

/** Our engine's log-probs (T,V) from the dequantized weights. */
function engineLogprobs(w: Weights, ids: number[]): Float64Array[] {
  const m = LlamaModel.fromTensors(w.config, w.tensors);
  const V = w.config.vocabSize;
  const logits = m.logits([ids]);
  return ids.map((_, t) => logSoftmax(logits.subarray(t * V, (t + 1) * V)));
}

/** Per position: the largest |Δ log p| over the actual next token and llama.cpp's top-10 tokens there. */
function positionErrors(ref: Float64Array[], ours: Float64Array[], ids: number[]): number[] {
  return ref.map((row, t) => {
    const top = Array.from(row.keys()).sort((a, b) => row[b] - row[a]).slice(0, 10);
    let worst = 0;
    for (const k of t + 1 < ids.length ? [ids[t + 1], ...top] : top) {
      const d = Math.abs(ours[t][k] - row[k]);
      assert.ok(Number.isFinite(d), `position ${t} token ${k}: ${ours[t][k]} vs ${row[k]}`);
      worst = Math.max(worst, d);
    }
    return worst;
  });
}

/** A summary of per-position errors: max, mean, and positions within float precision (1e-5). */
function summarize(errs: number[]): { max: number; mean: number; exact: number } {
  return { max: Math.max(...errs), mean: errs.reduce((a, b) => a + b, 0) / errs.length, exact: errs.filter((e) => e <= 1e-5).length };
}

const TEXTS = [
  "Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her dog.",
  "Lily and Tom went to the park. They saw a big dog and a little cat.",
  "The sun was hot. Tim wanted to swim in the lake, but his mom said no.",
  "One day, a bird flew to the tree. It was sad because it lost its friend.",
];

/** Writes `model` with `preset`, runs llama.cpp on it and our engine on its dequantized weights over TEXTS. */
async function compareFile(t: TestContext, llama: Llama, label: string, model: { config: ModelConfig; tensors: TensorMap }, tokenizerDir: string, preset: GgufPreset) {
  const path = join(tmpDir(), `${label}-${preset}.gguf`);
  await saveGgufModel(path, model.config, model.tensors, { preset, tokenizerFrom: tokenizerDir });
  const deq = await loadGgufModel(path);
  const w: Weights = { config: deq.config, tensors: deq.tensors, types: deq.sourceTypes };
  const tok = loadHfTokenizer(tokenizerDir);
  const plainErrs: number[] = [], emulatedErrs: number[] = [];
  let self = 0;
  let firstExact = true;
  const seqs = TEXTS.map((text) => tok.encode(text));
  const refs = await llamaLogprobsEach(llama, path, seqs, deq.config.vocabSize, { contextSize: 256, threads: 1 });
  for (const [i, ids] of seqs.entries()) {
    const ref = refs[i];
    const engine = engineLogprobs(w, ids);
    const emulated = positionErrors(ref, referenceForward(w, ids, true), ids);
    plainErrs.push(...positionErrors(ref, engine, ids));
    emulatedErrs.push(...emulated);
    self = Math.max(self, ...positionErrors(engine, referenceForward(w, ids, false), ids));
    firstExact &&= emulated[0] <= 1e-5;
  }
  const plain = summarize(plainErrs), emulated = summarize(emulatedErrs);
  const types = [...new Set(deq.sourceTypes.values())].sort();
  const n = plainErrs.length;
  t.diagnostic(`${label} ${preset} (${types.join("/")}), ${n} positions x (next token + llama.cpp top-10): engine on the dequantized weights vs llama.cpp max ${plain.max.toExponential(2)} mean ${plain.mean.toExponential(2)}, within 1e-5 at ${plain.exact}/${n} positions; with llama.cpp's activation rounding emulated max ${emulated.max.toExponential(2)} mean ${emulated.mean.toExponential(2)}, within 1e-5 at ${emulated.exact}/${n} positions; emulator without rounding vs engine ${self.toExponential(2)}`);
  // The test forward is a faithful float32 Llama: without rounding it is our engine.
  assert.ok(self < 2e-5, `${label} ${preset}: emulator without rounding vs engine ${self}`);
  return { plain, emulated, n, types, firstExact };
}

/** The emulated rounding rules are those of llama.cpp's x86 CPU backend; elsewhere only the plain bound is checked. */
const X86 = process.arch === "x64";

test("stories260K written Q8_0 / Q4_K_M / Q6_K by our quantizer: llama.cpp's log-probs are our engine's on the dequantized weights, up to llama.cpp's 8-bit activation rounding", async (t) => {
  const hf = sharedPath(t, "models/stories260K/hf");
  if (!hf) return;
  const llama = await llamaOrSkip(t, { gpu: false });
  if (!llama) return;
  const m = loadHfModel(hf);
  // stories260K rows are 64 wide (K-quants need 256): Q4_K falls back to Q5_0, Q6_K to Q8_0, and the 172-wide
  // ffn_down to F16, as llama-quantize does; so this covers q8_0 and F16 activation rounding on a trained model.
  for (const preset of ["Q8_0", "Q4_K_M", "Q6_K"] as const) {
    const r = await compareFile(t, llama, "stories260K", m, hf, preset);
    assert.ok(r.types.includes(preset === "Q4_K_M" ? "Q5_0" : "Q8_0") && r.types.includes("F16"), `types ${r.types}`);
    // The stated bound for the plain engine, and it never agrees to float precision: the gap is real.
    assert.ok(r.plain.max < 0.3, `${preset}: engine vs llama.cpp ${r.plain.max} (bound 0.3)`);
    assert.ok(r.plain.exact <= r.n / 20, `${preset}: the plain engine agrees within 1e-5 at ${r.plain.exact} positions`);
    if (!X86) continue;
    // Emulating the rounding reproduces llama.cpp to float precision (every rounding decision the same) at most
    // positions. This small trained model is chaotic under 8-bit activations: a value that float noise puts on
    // the other side of a rounding boundary changes a log-prob by up to ~0.1 at its position and every later one
    // (the emulated forward itself moves that much under 1e-6 relative noise on its matmul inputs), so some positions differ by that flip.
    assert.ok(r.firstExact, `${preset}: the first position of every text agrees within 1e-5`);
    assert.ok(r.emulated.exact >= r.n / 2, `${preset}: emulated within 1e-5 at only ${r.emulated.exact}/${r.n} positions`);
  }
});

/** A seeded random Llama with 256-wide rows, so K-quants (q8_K activations) apply to every matrix. */
function wideModel(): { config: ModelConfig; tensors: TensorMap } {
  const config = parseHfConfig({ model_type: "llama", vocab_size: 512, hidden_size: 256, intermediate_size: 512, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, rms_norm_eps: 1e-5, bos_token_id: 1, eos_token_id: 2 });
  const rng = new Rng(7);
  const tensors: TensorMap = new Map();
  for (const [n, shape] of expectedTensors(config)) {
    const len = shape.reduce((a, b) => a * b, 1);
    const sd = n.includes("embed") ? 1 : 1.5 / Math.sqrt(shape[shape.length - 1]);
    tensors.set(n, { shape, data: new Float32Array(len).map(() => (shape.length === 1 ? 1 + 0.1 * rng.normal() : sd * rng.normal())) });
  }
  return { config, tensors };
}

test("a 256-wide model written Q4_K_M / Q6_K: llama.cpp equals our engine on the dequantized weights once q8_K activation rounding is emulated", async (t) => {
  const hf = sharedPath(t, "models/stories260K/hf");
  if (!hf) return;
  const llama = await llamaOrSkip(t, { gpu: false });
  if (!llama) return;
  const model = wideModel();
  for (const preset of ["Q4_K_M", "Q6_K"] as const) {
    const r = await compareFile(t, llama, "wide-256", model, hf, preset);
    if (preset === "Q4_K_M") assert.ok(r.types.includes("Q4_K") && r.types.includes("Q6_K"), `types ${r.types}`);
    assert.ok(r.plain.max < 0.3, `${preset}: engine vs llama.cpp ${r.plain.max} (bound 0.3)`);
    assert.ok(r.plain.exact <= r.n / 20, `${preset}: the plain engine agrees within 1e-5 at ${r.plain.exact} positions`);
    if (!X86) continue;
    // Without the chaos of a trained tiny model, nearly every position is reproduced to float precision; an
    // isolated rounding flip stays at its own position.
    assert.ok(r.firstExact);
    assert.ok(r.emulated.exact >= 0.9 * r.n, `${preset}: emulated within 1e-5 at only ${r.emulated.exact}/${r.n} positions`);
    assert.ok(r.emulated.mean * 20 < r.plain.mean, `${preset}: mean |Δ| emulated ${r.emulated.mean} vs plain ${r.plain.mean}`);
  }
});

test.after(disposeLlama);
