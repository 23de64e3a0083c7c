// A Hugging Face tokenizer.json (+ tokenizer_config.json) built from GGUF tokenizer metadata, so GGUF models
// without tokenizer files still tokenize exactly: `llama` (SentencePiece BPE) as transformers' GGUF converter does
// (BPE with byte_fallback, merges from scores, Prepend/Replace normalizer), `gpt2` (byte-level BPE) from tokens,
// merges and llama.cpp's pre-tokenizer name.
import { gguf } from "@huggingface/gguf";
import { MedtuneError } from "../core/index.ts";
import { spmMerges } from "./spm-merges.ts";

/** llama.cpp token types. */
const TT = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

/** Split regexes of the byte-level pre-tokenizers by llama.cpp `tokenizer.ggml.pre` name (from the models' tokenizer.json). */
export const GGUF_PRE_TOKENIZERS: Record<string, unknown> = {
  "llama-bpe": splitThenByteLevel("(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
  qwen2: splitThenByteLevel("(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
  smollm: {
    type: "Sequence",
    pretokenizers: [
      { type: "Digits", individual_digits: true },
      { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
    ],
  },
  "gpt-2": { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
};
GGUF_PRE_TOKENIZERS["llama3"] = GGUF_PRE_TOKENIZERS["llama-bpe"];
GGUF_PRE_TOKENIZERS["deepseek-r1-qwen"] = GGUF_PRE_TOKENIZERS["qwen2"];
GGUF_PRE_TOKENIZERS["default"] = GGUF_PRE_TOKENIZERS["gpt-2"];

function splitThenByteLevel(regex: string): unknown {
  return {
    type: "Sequence",
    pretokenizers: [
      { type: "Split", pattern: { Regex: regex }, behavior: "Isolated", invert: false },
      { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false },
    ],
  };
}

/** tokenizer.json and tokenizer_config.json objects for the Hugging Face tokenizer library. */
export interface TokenizerFiles {
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
}

function ids(meta: Record<string, unknown>, key: string): number | undefined {
  const v = meta[key];
  const n = typeof v === "bigint" ? Number(v) : (v as number | undefined);
  return typeof n === "number" && n >= 0 && n !== 0xffffffff ? n : undefined;
}

function templateProcessing(bos: string | undefined, eos: string | undefined, meta: Record<string, unknown>): unknown {
  const special: Record<string, unknown> = {};
  if (bos !== undefined) special[bos] = { id: bos, ids: [ids(meta, "tokenizer.ggml.bos_token_id")!], tokens: [bos] };
  if (eos !== undefined) special[eos] = { id: eos, ids: [ids(meta, "tokenizer.ggml.eos_token_id")!], tokens: [eos] };
  const seq = (seqId: string, typeId: number): unknown[] => [
    ...(bos !== undefined ? [{ SpecialToken: { id: bos, type_id: typeId } }] : []),
    { Sequence: { id: seqId, type_id: typeId } },
    ...(eos !== undefined ? [{ SpecialToken: { id: eos, type_id: typeId } }] : []),
  ];
  return { type: "TemplateProcessing", single: seq("A", 0), pair: [...seq("A", 0), ...seq("B", 1)], special_tokens: special };
}

/** Builds tokenizer.json/tokenizer_config.json from GGUF metadata (`tokenizer.ggml.*`); `where` names the file. */
export function tokenizerFilesFromGguf(meta: Record<string, unknown>, where: string): TokenizerFiles {
  const model = meta["tokenizer.ggml.model"];
  const tokens = meta["tokenizer.ggml.tokens"] as string[] | undefined;
  if (!Array.isArray(tokens) || tokens.length === 0) {
    throw new MedtuneError("tokenizer.missing", "the GGUF file has no tokenizer (tokenizer.ggml.tokens)", { where, hint: "use the model's tokenizer.json instead" });
  }
  const types = (meta["tokenizer.ggml.token_type"] as number[] | undefined) ?? tokens.map(() => TT.NORMAL);
  const bosId = ids(meta, "tokenizer.ggml.bos_token_id");
  const eosId = ids(meta, "tokenizer.ggml.eos_token_id");
  const unkId = ids(meta, "tokenizer.ggml.unknown_token_id");
  const padId = ids(meta, "tokenizer.ggml.padding_token_id");
  const vocab: Record<string, number> = {};
  tokens.forEach((t, i) => {
    if (!(t in vocab)) vocab[t] = i;
  });
  const added = tokens.flatMap((t, i) =>
    types[i] === TT.CONTROL || types[i] === TT.USER_DEFINED || types[i] === TT.UNKNOWN || i === bosId || i === eosId
      ? [{ id: i, content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: types[i] !== TT.USER_DEFINED }]
      : [],
  );
  const tok = (id: number | undefined): string | undefined => (id === undefined ? undefined : tokens[id]);
  let tokenizerJson: Record<string, unknown>;
  let addBos: boolean;
  if (model === "llama") {
    const scores = meta["tokenizer.ggml.scores"] as number[] | undefined;
    if (!Array.isArray(scores) || scores.length !== tokens.length) throw new MedtuneError("tokenizer.gguf", "SentencePiece GGUF vocabulary needs tokenizer.ggml.scores for every token", { where });
    const addPrefix = (meta["tokenizer.ggml.add_space_prefix"] as boolean | undefined) ?? true;
    addBos = (meta["tokenizer.ggml.add_bos_token"] as boolean | undefined) ?? true;
    const addEos = (meta["tokenizer.ggml.add_eos_token"] as boolean | undefined) ?? false;
    const replace = { type: "Replace", pattern: { String: " " }, content: "▁" };
    const decoders: unknown[] = [{ type: "Replace", pattern: { String: "▁" }, content: " " }, { type: "ByteFallback" }, { type: "Fuse" }];
    if (addPrefix) decoders.push({ type: "Strip", content: " ", start: 1, stop: 0 });
    tokenizerJson = {
      version: "1.0",
      truncation: null,
      padding: null,
      added_tokens: added,
      normalizer: addPrefix ? { type: "Sequence", normalizers: [{ type: "Prepend", prepend: "▁" }, replace] } : replace,
      pre_tokenizer: null,
      post_processor: templateProcessing(addBos ? tok(bosId) : undefined, addEos ? tok(eosId) : undefined, meta),
      decoder: { type: "Sequence", decoders },
      model: {
        type: "BPE", dropout: null, unk_token: tok(unkId) ?? null, continuing_subword_prefix: null, end_of_word_suffix: null,
        fuse_unk: true, byte_fallback: true, ignore_merges: false, vocab, merges: spmMerges(tokens, scores),
      },
    };
  } else if (model === "gpt2") {
    const merges = meta["tokenizer.ggml.merges"] as string[] | undefined;
    if (!Array.isArray(merges)) throw new MedtuneError("tokenizer.gguf", "byte-level GGUF vocabulary needs tokenizer.ggml.merges", { where });
    const pre = String(meta["tokenizer.ggml.pre"] ?? "default");
    const preTok = GGUF_PRE_TOKENIZERS[pre];
    if (!preTok) {
      throw new MedtuneError("tokenizer.gguf-pre", `unsupported GGUF pre-tokenizer "${pre}"`, { where, hint: `supported: ${Object.keys(GGUF_PRE_TOKENIZERS).join(", ")}; use the model's tokenizer.json instead` });
    }
    addBos = (meta["tokenizer.ggml.add_bos_token"] as boolean | undefined) ?? false;
    const addEos = (meta["tokenizer.ggml.add_eos_token"] as boolean | undefined) ?? false;
    tokenizerJson = {
      version: "1.0",
      truncation: null,
      padding: null,
      added_tokens: added,
      normalizer: null,
      pre_tokenizer: preTok,
      post_processor: addBos || addEos
        ? templateProcessing(addBos ? tok(bosId) : undefined, addEos ? tok(eosId) : undefined, meta)
        : { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true },
      decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
      model: {
        type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: "", end_of_word_suffix: "",
        fuse_unk: false, byte_fallback: false, ignore_merges: pre === "llama-bpe" || pre === "llama3", vocab, merges,
      },
    };
  } else {
    throw new MedtuneError("tokenizer.gguf", `unsupported GGUF tokenizer model ${JSON.stringify(model)}`, { where, hint: 'supported: "llama" (SentencePiece) and "gpt2" (byte-level BPE); use the model\'s tokenizer.json instead' });
  }
  const tokenizerConfig: Record<string, unknown> = {
    add_bos_token: addBos,
    add_eos_token: (meta["tokenizer.ggml.add_eos_token"] as boolean | undefined) ?? false,
    bos_token: tok(bosId) ?? null,
    eos_token: tok(eosId) ?? null,
    unk_token: tok(unkId) ?? null,
    pad_token: tok(padId) ?? null,
    clean_up_tokenization_spaces: false,
    legacy: true,
  };
  const template = meta["tokenizer.chat_template"];
  if (typeof template === "string") tokenizerConfig.chat_template = template;
  const eot = ids(meta, "tokenizer.ggml.eot_token_id");
  if (eot !== undefined) tokenizerConfig.eot_token = tokens[eot];
  return { tokenizerJson, tokenizerConfig };
}

/** Reads a GGUF file's metadata (header only) and builds its tokenizer files. */
export async function tokenizerFilesFromGgufFile(path: string): Promise<TokenizerFiles> {
  let meta: Record<string, unknown>;
  try {
    meta = (await gguf(path, { allowLocalFile: true })).metadata as unknown as Record<string, unknown>;
  } catch (e) {
    throw new MedtuneError("tokenizer.gguf", `cannot read GGUF metadata: ${(e as Error).message}`, { where: path, hint: "the file is not a GGUF model (or is truncated)" });
  }
  return tokenizerFilesFromGguf(meta, path);
}
