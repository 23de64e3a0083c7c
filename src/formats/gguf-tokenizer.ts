// Tokenizer metadata for GGUF files (`tokenizer.ggml.*`, `tokenizer.chat_template`), as llama.cpp's converter
// writes it: copied verbatim from a source GGUF, or built from a Hugging Face tokenizer.json — SentencePiece-style
// BPE with byte fallback becomes model "llama" (tokens, scores, token types), byte-level BPE becomes "gpt2" (tokens,
// merges, and the pre-tokenizer name llama.cpp uses to pick its split regex).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { GGUFValueType } from "@huggingface/gguf";
import { MedtuneError } from "../core/index.ts";
import { readGgufFile, type GgufTypedValue } from "./gguf-read.ts";

/** llama.cpp token types (llama_token_type). */
export const GGUF_TOKEN_TYPE = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

/** Pre-tokenizer regexes of tokenizer.json (Split patterns) and the llama.cpp `tokenizer.ggml.pre` name of each. */
export const BPE_PRE_REGEXES: Record<string, string> = {
  "llama-bpe": "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
  qwen2: "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
};

interface AddedToken { id: number; content: string; special?: boolean }
interface TokenizerJson {
  model?: { type?: string; vocab?: Record<string, number> | Array<[string, number]>; merges?: Array<string | [string, string]>; byte_fallback?: boolean; unk_token?: string | null };
  added_tokens?: AddedToken[];
  normalizer?: Record<string, unknown> | null;
  pre_tokenizer?: Record<string, unknown> | null;
  post_processor?: Record<string, unknown> | null;
  decoder?: Record<string, unknown> | null;
}

const str = (value: string): GgufTypedValue => ({ value, type: GGUFValueType.STRING });
const u32 = (value: number): GgufTypedValue => ({ value, type: GGUFValueType.UINT32 });
const bool = (value: boolean): GgufTypedValue => ({ value, type: GGUFValueType.BOOL });

function flatten(node: Record<string, unknown> | null | undefined, key: string): Array<Record<string, unknown>> {
  if (!node) return [];
  if (node.type === "Sequence") {
    const kids = (node[key] ?? node.pretokenizers ?? node.normalizers ?? node.decoders ?? node.processors) as Array<Record<string, unknown>> | undefined;
    return (kids ?? []).flatMap((k) => flatten(k, key));
  }
  return [node];
}

function tokenContent(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (v && typeof v === "object" && typeof (v as { content?: unknown }).content === "string") return (v as { content: string }).content;
  return undefined;
}

/** Detects llama.cpp's pre-tokenizer name for a byte-level BPE tokenizer.json. */
export function detectBpePre(tj: TokenizerJson, where: string): string {
  const pres = flatten(tj.pre_tokenizer, "pretokenizers");
  const split = pres.find((p) => p.type === "Split");
  if (split) {
    const re = (split.pattern as { Regex?: string } | undefined)?.Regex;
    for (const [name, pattern] of Object.entries(BPE_PRE_REGEXES)) if (re === pattern) return name;
    throw new MedtuneError("gguf.tokenizer-pre", `unrecognised pre-tokenizer regex ${JSON.stringify(re)}`, {
      where,
      hint: `known: ${Object.keys(BPE_PRE_REGEXES).join(", ")}, smollm, gpt-2; pass the llama.cpp pre-tokenizer name explicitly (option pre)`,
    });
  }
  const digits = pres.find((p) => p.type === "Digits");
  const bl = pres.find((p) => p.type === "ByteLevel");
  if (digits && digits.individual_digits && bl && bl.use_regex !== false) return "smollm";
  if (bl && bl.use_regex !== false && pres.length === 1) return "gpt-2";
  throw new MedtuneError("gguf.tokenizer-pre", "unrecognised byte-level pre-tokenizer", { where, hint: "pass the llama.cpp pre-tokenizer name explicitly (option pre)" });
}

/** Options for building tokenizer metadata from a Hugging Face folder. */
export interface HfTokenizerMetaOptions {
  /** Pad the vocabulary to this many tokens (the model's embedding rows) with `[PAD<i>]` unused tokens. */
  vocabSize?: number;
  /** llama.cpp pre-tokenizer name for byte-level BPE, when it cannot be detected. */
  pre?: string;
}

/** Builds `tokenizer.*` GGUF metadata from tokenizer.json + tokenizer_config.json in `dir`. */
export function ggufTokenizerFromHf(dir: string, opts: HfTokenizerMetaOptions = {}): Map<string, GgufTypedValue> {
  const tjPath = join(dir, "tokenizer.json");
  if (!existsSync(tjPath)) throw new MedtuneError("tokenizer.missing", "tokenizer.json is missing", { where: dir, hint: "GGUF export needs the model's tokenizer.json" });
  const tj = JSON.parse(readFileSync(tjPath, "utf8")) as TokenizerJson;
  const cfgPath = join(dir, "tokenizer_config.json");
  const cfg = existsSync(cfgPath) ? (JSON.parse(readFileSync(cfgPath, "utf8")) as Record<string, unknown>) : {};
  const model = tj.model ?? {};
  if (model.type !== "BPE") {
    throw new MedtuneError("gguf.tokenizer", `tokenizer model type ${JSON.stringify(model.type)} cannot be exported to GGUF`, { where: tjPath, hint: "supported: BPE (SentencePiece-style with byte_fallback, or byte-level)" });
  }
  const byteLevel = flatten(tj.pre_tokenizer, "pretokenizers").some((p) => p.type === "ByteLevel") || flatten(tj.decoder, "decoders").some((d) => d.type === "ByteLevel");
  const kind = byteLevel ? "gpt2" : model.byte_fallback ? "llama" : undefined;
  if (!kind) throw new MedtuneError("gguf.tokenizer", "BPE tokenizer is neither byte-level nor SentencePiece-style (byte_fallback)", { where: tjPath });

  const vocab = new Map<number, string>();
  const entries = Array.isArray(model.vocab) ? model.vocab : Object.entries(model.vocab ?? {});
  for (const [tok, id] of entries) vocab.set(id, tok);
  const added = new Map<number, AddedToken>();
  for (const a of tj.added_tokens ?? []) {
    vocab.set(a.id, a.content);
    added.set(a.id, a);
  }
  let n = 0;
  for (const id of vocab.keys()) n = Math.max(n, id + 1);
  if (opts.vocabSize !== undefined) {
    if (opts.vocabSize < n) throw new MedtuneError("gguf.tokenizer", `tokenizer has ${n} tokens but the model's vocabulary is ${opts.vocabSize}`, { where: tjPath });
    n = opts.vocabSize;
  }
  const tokens: string[] = [];
  const types: number[] = [];
  const unk = model.unk_token ?? undefined;
  for (let i = 0; i < n; i++) {
    const t = vocab.get(i);
    if (t === undefined) {
      tokens.push(`[PAD${i}]`);
      types.push(GGUF_TOKEN_TYPE.UNUSED);
      continue;
    }
    tokens.push(t);
    const a = added.get(i);
    if (a) types.push(a.special ? (t === unk ? GGUF_TOKEN_TYPE.UNKNOWN : GGUF_TOKEN_TYPE.CONTROL) : GGUF_TOKEN_TYPE.USER_DEFINED);
    else if (t === unk) types.push(GGUF_TOKEN_TYPE.UNKNOWN);
    else if (kind === "llama" && /^<0x[0-9A-Fa-f]{2}>$/.test(t)) types.push(GGUF_TOKEN_TYPE.BYTE);
    else types.push(GGUF_TOKEN_TYPE.NORMAL);
  }
  const merges = (model.merges ?? []).map((m) => (Array.isArray(m) ? `${m[0]} ${m[1]}` : m));

  const m = new Map<string, GgufTypedValue>();
  m.set("tokenizer.ggml.model", str(kind));
  if (kind === "llama") {
    m.set("tokenizer.ggml.pre", str("default"));
    m.set("tokenizer.ggml.tokens", { value: tokens, type: GGUFValueType.ARRAY, subType: GGUFValueType.STRING });
    // SentencePiece BPE merges the pair whose result scores highest. Scoring the k-th distinct merge product -k
    // keeps tokenizer.json's merge order (and reproduces Llama 2's own scores, which are -(id - 259)).
    const rankOf = new Map<string, number>();
    for (const mg of merges) {
      const sp = mg.indexOf(" ");
      const prod = mg.slice(0, sp) + mg.slice(sp + 1);
      if (!rankOf.has(prod)) rankOf.set(prod, rankOf.size);
    }
    const scores = tokens.map((t, i) => {
      if (types[i] !== GGUF_TOKEN_TYPE.NORMAL) return 0;
      const r = rankOf.get(t);
      if (r !== undefined) return -r;
      return [...t].length <= 1 ? 0 : -(merges.length + i);
    });
    m.set("tokenizer.ggml.scores", { value: scores, type: GGUFValueType.ARRAY, subType: GGUFValueType.FLOAT32 });
    m.set("tokenizer.ggml.token_type", { value: types, type: GGUFValueType.ARRAY, subType: GGUFValueType.INT32 });
    const prepends = flatten(tj.normalizer, "normalizers").some((x) => x.type === "Prepend") ||
      flatten(tj.pre_tokenizer, "pretokenizers").some((x) => x.type === "Metaspace" && x.prepend_scheme !== "never" && x.add_prefix_space !== false);
    m.set("tokenizer.ggml.add_space_prefix", bool(prepends));
  } else {
    m.set("tokenizer.ggml.pre", str(opts.pre ?? detectBpePre(tj, tjPath)));
    m.set("tokenizer.ggml.tokens", { value: tokens, type: GGUFValueType.ARRAY, subType: GGUFValueType.STRING });
    m.set("tokenizer.ggml.token_type", { value: types, type: GGUFValueType.ARRAY, subType: GGUFValueType.INT32 });
    m.set("tokenizer.ggml.merges", { value: merges, type: GGUFValueType.ARRAY, subType: GGUFValueType.STRING });
  }
  const idOf = (key: string): number | undefined => {
    const c = tokenContent(cfg[key]);
    if (c === undefined) return undefined;
    for (const [id, t] of vocab) if (t === c) return id;
    return undefined;
  };
  const bos = idOf("bos_token"), eos = idOf("eos_token"), unkId = idOf("unk_token"), pad = idOf("pad_token");
  if (bos !== undefined) m.set("tokenizer.ggml.bos_token_id", u32(bos));
  if (eos !== undefined) m.set("tokenizer.ggml.eos_token_id", u32(eos));
  if (unkId !== undefined) m.set("tokenizer.ggml.unknown_token_id", u32(unkId));
  if (pad !== undefined) m.set("tokenizer.ggml.padding_token_id", u32(pad));
  const post = tj.post_processor as { type?: string; single?: Array<Record<string, { id?: string }>> } | null | undefined;
  const single = post?.type === "TemplateProcessing" ? post.single ?? [] : [];
  const firstSpecial = single[0]?.SpecialToken?.id;
  const lastSpecial = single.length > 1 ? single[single.length - 1]?.SpecialToken?.id : undefined;
  const addBos = typeof cfg.add_bos_token === "boolean" ? cfg.add_bos_token : bos !== undefined && firstSpecial === vocab.get(bos);
  const addEos = typeof cfg.add_eos_token === "boolean" ? cfg.add_eos_token : eos !== undefined && lastSpecial === vocab.get(eos);
  m.set("tokenizer.ggml.add_bos_token", bool(addBos));
  m.set("tokenizer.ggml.add_eos_token", bool(addEos));
  const template = chatTemplateOf(dir, cfg);
  if (template !== undefined) m.set("tokenizer.chat_template", str(template));
  return m;
}

function chatTemplateOf(dir: string, cfg: Record<string, unknown>): string | undefined {
  const jinja = join(dir, "chat_template.jinja");
  if (existsSync(jinja)) return readFileSync(jinja, "utf8");
  const ct = cfg.chat_template;
  if (typeof ct === "string") return ct;
  if (Array.isArray(ct)) {
    const named = ct as Array<{ name?: string; template?: string }>;
    return (named.find((t) => t.name === "default") ?? named[0])?.template;
  }
  return undefined;
}

/** Copies every `tokenizer.*` key of a GGUF file (typed), for re-exporting a model that came from GGUF. */
export async function ggufTokenizerFromGguf(path: string): Promise<Map<string, GgufTypedValue>> {
  const f = await readGgufFile(path);
  const m = new Map<string, GgufTypedValue>();
  for (const [k, v] of Object.entries(f.typed)) if (k.startsWith("tokenizer.")) m.set(k, v);
  if (!m.has("tokenizer.ggml.model")) throw new MedtuneError("gguf.tokenizer", "the GGUF file has no tokenizer metadata", { where: path });
  return m;
}
