// Token ids and loss labels of training examples, in the Hugging Face convention: labels are a copy of input_ids
// with −100 on the prompt (the model shifts internally, so position t is scored against labels[t+1]). The answer
// boundary follows lm-evaluation-harness: ids = encode(prompt + answer), the first len(encode(prompt)) are prompt.
// General text is scored on every token. Too-long sequences fail, or lose prompt tokens from the left when allowed.
import { fail } from "../core/index.ts";
import type { QAItem } from "../data/index.ts";
import { IGNORE_INDEX } from "../nn/index.ts";
import type { Tokenizer } from "../tokenizer/index.ts";
import type { PromptFormat } from "./prompt-format.ts";

/** One tokenized sequence with its labels. */
export interface TrainExample {
  /** (T) token ids */
  ids: Int32Array;
  /** (T) HF labels: the id where the token is scored, −100 elsewhere */
  labels: Int32Array;
  /** tokens the loss covers: positions t ≥ 1 with labels[t] ≠ −100 */
  nScored: number;
  /** file:line and id, for messages */
  where: string;
}

/** An MCQ prepared for log-likelihood scoring: one sequence per option, the answer's index. */
export interface McqProbe {
  where: string;
  gold: number;
  options: TrainExample[];
}

/** How examples are encoded. */
export interface EncodeOptions {
  /** longest sequence allowed, in tokens */
  maxSeqLen: number;
  /** cut prompt tokens from the left (after BOS) instead of failing when a sequence is longer than maxSeqLen */
  truncate: boolean;
  /** append EOS after the answer (prompt templates; chat templates close the turn themselves) */
  appendEos: boolean;
}

/** Counts the scored positions of HF labels (t ≥ 1, not −100). */
export function countScored(labels: ArrayLike<number>): number {
  let n = 0;
  for (let t = 1; t < labels.length; t++) if (labels[t] !== IGNORE_INDEX) n++;
  return n;
}

/** Tokenizes items and text into TrainExamples for one model's tokenizer and prompt format. */
export class ExampleEncoder {
  readonly tokenizer: Tokenizer;
  readonly format: PromptFormat;
  readonly opts: EncodeOptions;

  constructor(tokenizer: Tokenizer, format: PromptFormat, opts: EncodeOptions) {
    if (!(Number.isInteger(opts.maxSeqLen) && opts.maxSeqLen >= 2)) fail("train.bad-max-seq-len", `maxSeqLen must be an integer ≥ 2, got ${opts.maxSeqLen}`, "batch.maxSeqLen");
    this.tokenizer = tokenizer;
    this.format = format;
    this.opts = opts;
  }

  private get bos(): number[] {
    const t = this.tokenizer;
    return !this.format.textHasSpecials && t.addBos && t.bosId !== undefined ? [t.bosId] : [];
  }

  private enc(text: string): number[] {
    return this.tokenizer.encode(text, { addSpecialTokens: false });
  }

  /** A prompt/answer sequence: loss on the answer tokens only. */
  pair(prompt: string, completion: string, where: string, eos: boolean): TrainExample {
    const bos = this.bos;
    const ids = [...bos, ...this.enc(prompt + completion)];
    let promptLen = Math.min(ids.length, bos.length + this.enc(prompt).length);
    const eosId = this.tokenizer.eosId;
    if (eos && eosId !== undefined) ids.push(eosId);
    if (ids.length - promptLen < 1 || promptLen < 1) {
      fail("train.empty-answer", `${where}: the ${promptLen < 1 ? "prompt" : "answer"} renders to no tokens`, "training data", "check the item and the prompt template");
    }
    let out = ids;
    const max = this.opts.maxSeqLen;
    if (ids.length > max) {
      if (!this.opts.truncate) {
        fail("train.too-long", `${where}: ${ids.length} tokens, longer than maxSeqLen ${max}`, "training data",
          "raise batch.maxSeqLen (up to the model's max_position_embeddings), shorten the item, or set batch.truncate: true");
      }
      const keep = bos.length; // BOS stays; the oldest prompt tokens go first, then the end of the answer
      const cut = Math.min(ids.length - max, promptLen - keep - 1 > 0 ? promptLen - keep - 1 : 0);
      out = [...ids.slice(0, keep), ...ids.slice(keep + cut)];
      promptLen -= cut;
      if (out.length > max) out = out.slice(0, max);
      if (out.length - promptLen < 1) fail("train.too-long", `${where}: the prompt alone fills maxSeqLen ${max} tokens`, "training data", "raise batch.maxSeqLen");
    }
    const labels = Int32Array.from(out, (id, t) => (t < promptLen ? IGNORE_INDEX : id));
    return { ids: Int32Array.from(out), labels, nScored: countScored(labels), where };
  }

  /** A QA item as a training example (answer tokens scored). */
  item(item: QAItem, where: string, withExplanation: boolean): TrainExample {
    const p = this.format.pair(item, withExplanation);
    return this.pair(p.prompt, p.completion, `${where} (${item.id})`, this.opts.appendEos && this.format.kind === "template");
  }

  /** General text scored on every token (BOS and EOS as the tokenizer adds them). */
  text(text: string, where: string): TrainExample {
    let ids = this.tokenizer.encode(text);
    if (ids.length < 2) fail("train.empty-text", `${where}: the text has fewer than 2 tokens`, "general text", "remove empty lines or documents");
    if (ids.length > this.opts.maxSeqLen) {
      if (!this.opts.truncate) {
        fail("train.too-long", `${where}: ${ids.length} tokens, longer than maxSeqLen ${this.opts.maxSeqLen}`, "general text",
          "split long documents, raise batch.maxSeqLen, or set batch.truncate: true");
      }
      ids = ids.slice(0, this.opts.maxSeqLen);
    }
    const labels = Int32Array.from(ids);
    return { ids: Int32Array.from(ids), labels, nScored: countScored(labels), where };
  }

  /** The options of an MCQ as scored continuations of its prompt; null when it is not a scorable MCQ. */
  mcq(item: QAItem, where: string): McqProbe | null {
    if (item.kind !== "mcq" || !item.options || item.options.length < 2) return null;
    const gold = item.options.findIndex((o) => o.label === item.answer);
    if (gold < 0) return null;
    const { prompt, continuations } = this.format.options(item);
    const at = `${where} (${item.id})`;
    return { where: at, gold, options: continuations.map((c, i) => this.pair(prompt, c, `${at} option ${item.options![i].label}`, false)) };
  }
}
