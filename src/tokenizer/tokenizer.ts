// The project's tokenizer: Hugging Face tokenizer.json + tokenizer_config.json run by @huggingface/tokenizers,
// with BOS/EOS handled as transformers does (tokenizer_config's add_bos_token/add_eos_token win over the
// post-processor), special-token ids and strings, and the chat template(s). Loads from a model folder or a GGUF.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Tokenizer as HfTokenizerImpl } from "@huggingface/tokenizers";
import { MedtuneError } from "../core/index.ts";
import { tokenizerFilesFromGgufFile, type TokenizerFiles } from "./gguf-vocab.ts";

/** Options for `encode`. */
export interface EncodeOptions {
  /** Add BOS/EOS as the tokenizer is configured to (default true). Chat-template output already holds them: pass false. */
  addSpecialTokens?: boolean;
}

/** Options for `decode`. */
export interface DecodeOptions {
  /** Drop special tokens (BOS, EOS, control tokens) from the text (default false). */
  skipSpecialTokens?: boolean;
}

function tokenString(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (v && typeof v === "object" && typeof (v as { content?: unknown }).content === "string") return (v as { content: string }).content;
  return undefined;
}

/** A text tokenizer with the special tokens and chat templates of its model. */
export class Tokenizer {
  /** Where it was loaded from (folder, file or "memory"). */
  readonly source: string;
  /** Number of token ids (largest id + 1, added tokens included). */
  readonly vocabSize: number;
  readonly bosToken?: string;
  readonly eosToken?: string;
  readonly padToken?: string;
  readonly unkToken?: string;
  readonly bosId?: number;
  readonly eosId?: number;
  readonly padId?: number;
  readonly unkId?: number;
  /** Whether `encode` prepends BOS / appends EOS by default. */
  readonly addBos: boolean;
  readonly addEos: boolean;
  /** The default chat template, if the model has one. */
  readonly chatTemplate?: string;
  /** Named chat templates (`default`, `tool_use`, ...) when tokenizer_config lists several. */
  readonly chatTemplates: Record<string, string>;
  /** Ids of special tokens (skipped by decode with skipSpecialTokens). */
  readonly specialIds: ReadonlySet<number>;
  private impl: HfTokenizerImpl;
  private explicitSpecials: boolean;

  constructor(files: TokenizerFiles, source = "memory", chatTemplateOverride?: string) {
    this.source = source;
    const cfg = files.tokenizerConfig;
    try {
      this.impl = new HfTokenizerImpl(files.tokenizerJson, cfg);
    } catch (e) {
      throw new MedtuneError("tokenizer.load", `cannot build tokenizer: ${(e as Error).message}`, { where: source, hint: "the tokenizer.json is not supported by @huggingface/tokenizers" });
    }
    const idOf = (t: string | undefined): number | undefined => (t === undefined ? undefined : this.impl.token_to_id(t));
    this.bosToken = tokenString(cfg.bos_token);
    this.eosToken = tokenString(cfg.eos_token);
    this.padToken = tokenString(cfg.pad_token);
    this.unkToken = tokenString(cfg.unk_token);
    this.bosId = idOf(this.bosToken);
    this.eosId = idOf(this.eosToken);
    this.padId = idOf(this.padToken);
    this.unkId = idOf(this.unkToken);
    let maxId = -1;
    for (const id of this.impl.get_vocab(true).values()) maxId = Math.max(maxId, id);
    this.vocabSize = maxId + 1;
    const specials = new Set<number>();
    for (const [id, t] of this.impl.get_added_tokens_decoder()) if (t.special) specials.add(id);
    for (const id of [this.bosId, this.eosId, this.padId, this.unkId]) if (id !== undefined) specials.add(id);
    this.specialIds = specials;
    // transformers' Llama/Gemma tokenizers rebuild the post-processor from these flags; honour them the same way.
    this.explicitSpecials = typeof cfg.add_bos_token === "boolean" || typeof cfg.add_eos_token === "boolean";
    if (this.explicitSpecials) {
      this.addBos = cfg.add_bos_token === true && this.bosId !== undefined;
      this.addEos = cfg.add_eos_token === true && this.eosId !== undefined;
    } else {
      const withSp = this.impl.encode("a", { add_special_tokens: true }).ids;
      const without = this.impl.encode("a", { add_special_tokens: false }).ids;
      this.addBos = this.bosId !== undefined && withSp[0] === this.bosId && without[0] !== this.bosId;
      this.addEos = this.eosId !== undefined && withSp[withSp.length - 1] === this.eosId && without[without.length - 1] !== this.eosId;
    }
    const templates: Record<string, string> = {};
    const ct = cfg.chat_template;
    if (typeof ct === "string") templates.default = ct;
    else if (Array.isArray(ct)) for (const t of ct as Array<{ name?: string; template?: string }>) if (t.name && typeof t.template === "string") templates[t.name] = t.template;
    if (chatTemplateOverride !== undefined) templates.default = chatTemplateOverride;
    this.chatTemplates = templates;
    this.chatTemplate = templates.default ?? Object.values(templates)[0];
  }

  /** Token ids of `text`; BOS/EOS added as configured unless `addSpecialTokens` is false. */
  encode(text: string, opts: EncodeOptions = {}): number[] {
    const add = opts.addSpecialTokens ?? true;
    if (!this.explicitSpecials) return this.impl.encode(text, { add_special_tokens: add }).ids;
    const ids = this.impl.encode(text, { add_special_tokens: false }).ids;
    if (add && this.addBos) ids.unshift(this.bosId!);
    if (add && this.addEos) ids.push(this.eosId!);
    return ids;
  }

  /** Text of `ids` (byte-fallback and byte-level pieces reassembled). */
  decode(ids: ArrayLike<number>, opts: DecodeOptions = {}): string {
    const list = Array.from(ids);
    if (list.length === 0) return "";
    for (const id of list) {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) throw new MedtuneError("tokenizer.bad-id", `token id ${id} is outside the vocabulary (0..${this.vocabSize - 1})`, { where: this.source });
    }
    return this.impl.decode(list, { skip_special_tokens: opts.skipSpecialTokens ?? false });
  }

  /** The token strings of `ids` (vocabulary pieces, e.g. `▁Once`). */
  tokens(ids: ArrayLike<number>): string[] {
    return Array.from(ids, (id) => this.impl.id_to_token(id) ?? this.unkToken ?? "");
  }

  /** The token strings `text` splits into (no special tokens added). */
  tokenize(text: string): string[] {
    return this.tokens(this.encode(text, { addSpecialTokens: false }));
  }

  /** Id of a token string, or undefined. */
  tokenToId(token: string): number | undefined {
    return this.impl.token_to_id(token);
  }

  /** Token string of an id, or undefined. */
  idToToken(id: number): string | undefined {
    return this.impl.id_to_token(id);
  }
}

function readJson(path: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch (e) {
    throw new MedtuneError("tokenizer.bad-json", `cannot read ${path}: ${(e as Error).message}`, { where: path, hint: "fix or re-download the file" });
  }
}

/** Loads tokenizer.json (+ tokenizer_config.json, chat_template.jinja) from a Hugging Face model folder. */
export function loadHfTokenizer(dir: string): Tokenizer {
  const tj = join(dir, "tokenizer.json");
  if (!existsSync(tj)) {
    const hint = existsSync(join(dir, "tokenizer.model")) ? "only tokenizer.model (SentencePiece) is present; save the fast tokenizer (tokenizer.json) with transformers" : "the folder needs tokenizer.json";
    throw new MedtuneError("tokenizer.missing", "tokenizer.json is missing", { where: dir, hint });
  }
  const cfgPath = join(dir, "tokenizer_config.json");
  const tokenizerConfig = existsSync(cfgPath) ? readJson(cfgPath) : {};
  if (tokenizerConfig.clean_up_tokenization_spaces === undefined) tokenizerConfig.clean_up_tokenization_spaces = false;
  const jinja = join(dir, "chat_template.jinja");
  const override = existsSync(jinja) ? readFileSync(jinja, "utf8") : undefined;
  return new Tokenizer({ tokenizerJson: readJson(tj), tokenizerConfig }, dir, override);
}

/** Builds a tokenizer from a GGUF file's tokenizer metadata. */
export async function loadGgufTokenizer(path: string): Promise<Tokenizer> {
  return new Tokenizer(await tokenizerFilesFromGgufFile(path), path);
}

/** Loads the tokenizer of a model: a folder with tokenizer.json, a .gguf file, or a folder with one .gguf. */
export async function loadTokenizer(path: string): Promise<Tokenizer> {
  if (!existsSync(path)) throw new MedtuneError("tokenizer.missing", `no such file or folder: ${path}`, { hint: "give a model folder with tokenizer.json or a .gguf file" });
  if (statSync(path).isFile()) {
    if (path.endsWith(".gguf")) return loadGgufTokenizer(path);
    if (path.endsWith("tokenizer.json")) return loadHfTokenizer(join(path, ".."));
    throw new MedtuneError("tokenizer.format", `not a tokenizer file: ${path}`, { hint: "give a model folder with tokenizer.json or a .gguf file" });
  }
  if (existsSync(join(path, "tokenizer.json"))) return loadHfTokenizer(path);
  const ggufs = readdirSync(path).filter((n) => n.endsWith(".gguf"));
  if (ggufs.length === 1) return loadGgufTokenizer(join(path, ggufs[0]));
  throw new MedtuneError("tokenizer.missing", `no tokenizer.json or single *.gguf at ${path}`, { hint: "give a model folder with tokenizer.json or a .gguf file" });
}
