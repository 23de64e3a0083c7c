// The record-local stages of `data prepare` (read, clean, validate, dedup hashing, PHI scrub, contamination scan,
// prompt rendering and JSON encoding), run over a source in batches of BATCH_RECORDS records: in the calling thread,
// or also in worker threads, each batch staged by the thread that reaches it first (this file is also the worker's
// entry). prepare.ts applies the order-dependent stages (dedup and contamination decisions, split, writes, counts)
// batch by batch in input order, so the outputs do not depend on the number of threads.
import { relative, resolve } from "node:path";
import { Worker, isMainThread, parentPort, workerData, type MessagePort } from "node:worker_threads";
import { MedtuneError, log } from "../core/index.ts";
import {
  getAdapter, cleanItem, validateItem, Deduplicator, scrubItemPhi, ContaminationIndex, stratumOf, labelOf, exportLines, wordCount, ItemWords,
  type QAItem, type QuarantineRecord, type SourceRecord, type PromptTemplate, type ContaminationScan,
  type PhiOptions, type ExportLineOptions,
} from "../data/index.ts";
import type { PrepareConfig, SourceConfig } from "./prepare-config.ts";

/** Records per batch. */
export const BATCH_RECORDS = 256;

/** Record status: the adapter could not map it, validation rejected it, it is an item for the later stages, or the scrub broke it. */
export const REC_READ_ERROR = 0;
export const REC_INVALID = 1;
export const REC_ITEM = 2;
/** The PHI scrub made a valid item invalid (say, two options became the same placeholder): quarantined at stage phi. */
export const REC_PHI_INVALID = 3;

/** Columns of StagedBatch.cols, per record. String columns hold codes into the stager's string table. */
export const COL = {
  status: 0, line: 1, file: 2, kind: 3, source: 4, subject: 5, label: 6, stratum: 7, phi: 8, near: 9,
  questionWords: 10, answerWords: 11, contextWords: 12, explanationWords: 13, promptWords: 14, completionWords: 15,
} as const;
export const N_COLS = 16;
/** Byte segments of StagedBatch.offsets, per record: start of each line, then the end; absent lines are empty. */
export const SEG = { item: 0, chat: 1, completion: 2, preItem: 3, end: 4 } as const;
export const N_SEGS = 5;

/** What a record needs besides its columns, set only when it happens (rejects, cleaning, PHI, n-gram matches). */
export interface RecordExtra {
  reject?: QuarantineRecord;
  /** Fields the cleaner changed. */
  changed?: string[];
  /** PHI replacements by type, in the scrubber's order. */
  phi?: Array<[string, number]>;
  /** The contamination scan when it matched eval n-grams (the near result is in the columns). */
  scan?: { entries: Int32Array; ngrams: string[] };
}

/** One batch of records after the record-local stages, in input order. */
export interface StagedBatch {
  /** Index of the source (in prepare's source list) and of the batch within it. */
  source: number;
  seq: number;
  /** Records in the batch. */
  n: number;
  /** (n, N_COLS) per-record columns, see COL. */
  cols: Int32Array;
  /** Strings added to the stager's table by this batch (codes continue from the previous batch). */
  strings: string[];
  /** Item ids (records with status REC_ITEM; "" for the others). */
  ids: string[];
  /** UTF-8 lines: canonical item, chat, completion and (when PHI changed it) the item before the PHI scrub. */
  bytes: Uint8Array;
  /** (n, N_SEGS) byte offsets into `bytes`, see SEG. */
  offsets: Int32Array;
  /** (BATCH_RECORDS, sketchWidth) dedup sketches (Deduplicator.sketchInto). */
  sketches: Uint32Array;
  sketchWidth: number;
  /** Estimated Jaccard of the near-duplicate eval item in COL.near. */
  nearSimilarity: Float64Array;
  /** Records that need more than columns, by position in the batch. */
  extras: Array<[number, RecordExtra]>;
}

/** The typed arrays of a batch, handed back to its stager once the batch is applied (no allocation churn on long runs). */
export interface BatchBuffers {
  bytes: Uint8Array;
  cols: Int32Array;
  offsets: Int32Array;
  sketches: Uint32Array;
  nearSimilarity: Float64Array;
}

/** A batch's buffers, whole (a view's full buffer), for `RecordStager.recycle`. */
export function batchBuffers(b: StagedBatch): BatchBuffers {
  return { bytes: new Uint8Array(b.bytes.buffer), cols: b.cols, offsets: b.offsets, sketches: b.sketches, nearSimilarity: b.nearSimilarity };
}

/** Everything a stager needs; plain data, so it can be handed to a worker. */
export interface StageSettings {
  config: PrepareConfig;
  /** The resolved sources (the demo set when the config names none). */
  sources: SourceConfig[];
  template: PromptTemplate;
  baseDir: string;
}

/** Reads the evaluation sets of a config as cleaned items (records that do not map are skipped: no gold answer to leak). */
export async function readEvalItems(config: PrepareConfig, abs: (p: string) => string, each?: (e: SourceConfig, n: number) => Promise<void>): Promise<QAItem[]> {
  const items: QAItem[] = [];
  for (const e of config.eval) {
    const adapter = getAdapter(e.format);
    let n = 0;
    for await (const rec of adapter.read(abs(e.path), { sourceName: e.name ?? e.format, mapping: e.mapping, header: e.header, subject: e.subject, maxRecordBytes: config.maxRecordBytes })) {
      if (!rec.item) continue;
      items.push(config.clean.enabled ? cleanItem(rec.item).item : rec.item);
      n++;
    }
    await each?.(e, n);
  }
  return items;
}

/** The contamination index of a config over its evaluation items (the same items in the same order give the same index). */
export function contaminationIndex(config: PrepareConfig, evalItems: QAItem[]): Promise<ContaminationIndex> {
  const c = config.contamination;
  return ContaminationIndex.build(evalItems, {
    ngram: c.ngram, threshold: c.threshold, near: c.near, minCoverage: c.minCoverage, maxEvalItems: c.maxEvalItems, maxTrainMatches: c.maxTrainMatches,
  });
}

/** The dedup stage's Deduplicator for a config (the same options hash alike in every thread); `expectedItems` presizes its index. */
export function makeDeduplicator(config: PrepareConfig, expectedItems?: number): Deduplicator | null {
  return config.dedup.enabled ? new Deduplicator({ threshold: config.dedup.threshold, near: config.dedup.near, seed: config.seed, expectedItems }) : null;
}

const encoder = new TextEncoder();

/** UTF-8 buffer of one batch's lines (a recycled one when there is one), grown as needed. */
class ByteSink {
  buf: Uint8Array;
  pos = 0;
  constructor(buf: Uint8Array) {
    this.buf = buf;
  }
  /** Appends `s` and a newline (written apart: `s + "\n"` would copy `s` once more to flatten the pair). */
  putLine(s: string): void {
    const need = this.pos + s.length * 3 + 1;
    if (need > this.buf.length) {
      const grown = new Uint8Array(Math.max(need, this.buf.length * 2));
      grown.set(this.buf.subarray(0, this.pos));
      this.buf = grown;
    }
    this.pos += encoder.encodeInto(s, this.buf.subarray(this.pos)).written;
    this.buf[this.pos++] = 0x0a;
  }
}

/** Runs the record-local stages over sources, batch by batch; one per thread (it keeps scratch and a string table). */
export class RecordStager {
  private readonly s: StageSettings;
  private readonly dedup: Deduplicator | null;
  private readonly contamination: ContaminationIndex | null;
  private readonly phiOptions: PhiOptions;
  private readonly sketchWidth: number;
  private readonly lineOptions: ExportLineOptions;
  /** The current item's words, tokenized once for the dedup sketch and the contamination scan. */
  private readonly words = new ItemWords();
  private readonly codes = new Map<string, number>();
  private newStrings: string[] = [];
  private spare: BatchBuffers[] = []; // buffers of applied batches, for reuse
  private lastFile = "";
  private lastFileRel = "";
  private lastFileCode = -1;

  /** `contamination`: an index over the config's eval items (scan only: decisions stay with the caller), or null. */
  constructor(settings: StageSettings, contamination: ContaminationIndex | null) {
    this.s = settings;
    this.dedup = makeDeduplicator(settings.config);
    this.contamination = contamination;
    const phi = settings.config.phi;
    // one object: the scrubber compiles it once
    this.phiOptions = { types: phi.types, exclude: phi.exclude, urls: phi.urls, keepTollFree: phi.keepTollFree, keepNonPersonalDates: phi.keepNonPersonalDates, referenceYear: phi.referenceYear };
    this.sketchWidth = this.dedup?.sketchWidth ?? 0;
    const ex = settings.config.export;
    this.lineOptions = { chat: ex.formats.includes("chat"), completion: ex.formats.includes("completion"), withExplanation: ex.withExplanation };
  }

  /**
   * The batches of source `index` whose batch number `owns` accepts (default: all), in order; the last one may be
   * short. Records of other batches are read but, where the format allows, not parsed.
   */
  async *batches(index: number, owns?: (seq: number) => boolean): AsyncGenerator<StagedBatch> {
    const src = this.s.sources[index];
    const { config } = this.s;
    const adapter = getAdapter(src.format);
    const path = resolve(this.s.baseDir, src.path);
    const decided: boolean[] = []; // one answer per batch, however often it is asked
    const mine = (seq: number) => (decided[seq] ??= owns === undefined || owns(seq));
    let selected = 0;
    const select = owns && (() => mine(Math.floor(selected++ / BATCH_RECORDS)));
    const records = adapter.read(path, { sourceName: src.name ?? src.format, mapping: src.mapping, header: src.header, subject: src.subject, maxRecordBytes: config.maxRecordBytes, select }) as AsyncGenerator<SourceRecord>;
    let r = 0;
    let b: BatchBuilder | null = null;
    try {
      for (;;) {
        let next: IteratorResult<SourceRecord>;
        try {
          next = await records.next();
        } catch (e) {
          // a whole-file failure: the records before it still count (strict mode may stop at one of them first)
          if (b !== null) yield this.finish(b);
          throw e;
        }
        if (next.done) break;
        const seq = Math.floor(r / BATCH_RECORDS);
        r++;
        if (b !== null && b.seq !== seq) {
          yield this.finish(b);
          b = null;
        }
        const owned = mine(seq);
        if (next.value.skipped && (owned || selected !== r)) throw new Error(`internal error: ${src.format} skipped record ${r - 1} of ${path} out of turn`);
        if (!owned) continue;
        b ??= new BatchBuilder(index, seq, this.sketchWidth, this.spare.pop());
        this.stage(b, next.value);
      }
      if (b !== null) yield this.finish(b);
    } finally {
      await records.return(undefined);
    }
  }

  private code(s: string): number {
    let c = this.codes.get(s);
    if (c === undefined) {
      c = this.codes.size;
      this.codes.set(s, c);
      this.newStrings.push(s);
    }
    return c;
  }

  private finish(b: BatchBuilder): StagedBatch {
    const strings = this.newStrings;
    this.newStrings = [];
    return b.build(strings);
  }

  /** Takes back the buffers of an applied batch (nothing may use the batch afterwards). */
  recycle(buffers: BatchBuffers): void {
    if (this.spare.length < CREDIT + 2 && buffers.sketches.length === BATCH_RECORDS * this.sketchWidth) this.spare.push(buffers);
  }

  /** One record through the record-local stages, in the order prepare.ts applies the rest. */
  private stage(b: BatchBuilder, rec: SourceRecord): void {
    const { config, template } = this.s;
    const i = b.n++;
    const cols = b.cols;
    const c = i * N_COLS;
    if (rec.file !== this.lastFile) {
      this.lastFile = rec.file;
      this.lastFileRel = relative(this.s.baseDir, rec.file) || rec.file;
      this.lastFileCode = this.code(this.lastFileRel);
    }
    const file = this.lastFileRel;
    cols[c + COL.line] = rec.line;
    cols[c + COL.file] = this.lastFileCode;
    b.ids.push("");
    if (!rec.item) {
      const err = rec.error ?? { field: "(record)", reason: "read.unknown", message: "the adapter could not map this record" };
      cols[c + COL.status] = REC_READ_ERROR;
      b.extra(i).reject = { stage: "read", reason: err.reason, message: err.message, field: err.field, file, line: rec.line, raw: rec.raw, bytes: rec.bytes };
      b.endRecord(i);
      return;
    }
    // 1. clean
    let item = rec.item;
    if (config.clean.enabled) {
      const cl = cleanItem(item);
      item = cl.item;
      if (cl.changed.length > 0) b.extra(i).changed = cl.changed;
    }
    // 2. validate
    const problem = validateItem(item);
    if (problem) {
      cols[c + COL.status] = REC_INVALID;
      b.extra(i).reject = { stage: "validate", reason: problem.reason, message: problem.message, field: problem.field, file, line: rec.line, id: item.id, raw: rec.raw, bytes: rec.bytes };
      b.endRecord(i);
      return;
    }
    cols[c + COL.status] = REC_ITEM;
    b.ids[i] = item.id;
    // 3. deduplicate: hashing here, the decision in order
    this.dedup?.sketchInto(b.sketches, i * this.sketchWidth, item, this.words);
    // 4. PHI scrub (of every item: a duplicate's scrub is simply not used)
    const preItem = item;
    let nPhi = 0;
    if (config.phi.enabled) {
      const p = scrubItemPhi(item, this.phiOptions);
      let byType: Array<[string, number]> | undefined;
      for (const [type, n] of Object.entries(p.counts) as Array<[string, number | undefined]>) {
        if (!n) continue;
        (byType ??= []).push([type, n]);
        nPhi += n;
      }
      if (nPhi === 0 && p.item !== item) item = p.item; // an identifier only in the cleaner's raw copy: uncounted, still scrubbed
      if (nPhi > 0) {
        b.extra(i).phi = byType;
        item = { ...p.item, metadata: { ...p.item.metadata, phiReplaced: nPhi } };
        // the scrubbed item must still be valid: two options can become the same placeholder
        const broken = validateItem(item);
        if (broken) {
          cols[c + COL.status] = REC_PHI_INVALID;
          cols[c + COL.phi] = nPhi;
          const message = `after the PHI scrub (${p.fields.join(", ")} changed): ${broken.message} Fix the record, or leave the identifier type out with phi.exclude if it is not PHI here.`;
          b.extra(i).reject = { stage: "phi", reason: `phi.${broken.reason}`, message, field: broken.field, file, line: rec.line, id: preItem.id, raw: rec.raw, bytes: rec.bytes };
          b.endRecord(i);
          return;
        }
      }
    }
    cols[c + COL.phi] = nPhi;
    // 5. contamination: the scan here, the decision in order
    cols[c + COL.near] = -1;
    if (this.contamination) {
      const s: ContaminationScan = this.contamination.scan(item, this.words); // the same words unless the scrub changed the item
      cols[c + COL.near] = s.near;
      b.nearSimilarity[i] = s.nearSimilarity;
      if (s.entries.length > 0) b.extra(i).scan = { entries: s.entries, ngrams: s.ngrams };
    }
    // 6. split key and distributions, 7. export lines, 8. lengths
    cols[c + COL.kind] = this.code(item.kind);
    cols[c + COL.source] = this.code(item.source);
    cols[c + COL.subject] = this.code(item.subject ?? "(none)");
    cols[c + COL.label] = this.code(labelOf(item));
    cols[c + COL.stratum] = this.code(stratumOf(item, config.split.stratifyBy));
    const lines = exportLines(item, template, this.lineOptions);
    const o = i * N_SEGS;
    const out = b.out;
    b.offsets[o + SEG.item] = out.pos;
    out.putLine(lines.item);
    b.offsets[o + SEG.chat] = out.pos;
    if (this.lineOptions.chat) out.putLine(lines.chat);
    b.offsets[o + SEG.completion] = out.pos;
    if (this.lineOptions.completion) out.putLine(lines.completion);
    b.offsets[o + SEG.preItem] = out.pos;
    if (nPhi > 0) out.putLine(JSON.stringify(preItem));
    b.offsets[o + SEG.end] = out.pos;
    cols[c + COL.questionWords] = wordCount(item.question);
    cols[c + COL.answerWords] = item.kind === "mcq" ? wordCount(item.options?.find((x) => x.label === item.answer)?.text ?? "") : wordCount(item.answer);
    let contextWords = -1;
    if (item.context) {
      contextWords = 0;
      for (const p of item.context) contextWords += wordCount(p);
    }
    cols[c + COL.contextWords] = contextWords;
    cols[c + COL.explanationWords] = item.explanation ? wordCount(item.explanation) : -1;
    cols[c + COL.promptWords] = wordCount(lines.prompt);
    cols[c + COL.completionWords] = wordCount(lines.completionText);
  }
}

class BatchBuilder {
  n = 0;
  ids: string[] = [];
  extras: Array<[number, RecordExtra]> = [];
  cols: Int32Array;
  out: ByteSink;
  offsets: Int32Array;
  sketches: Uint32Array;
  nearSimilarity: Float64Array;
  /** Fills recycled buffers when given (every value a batch's records use is written afresh). */
  constructor(readonly source: number, readonly seq: number, readonly sketchWidth: number, reuse?: BatchBuffers) {
    this.cols = reuse?.cols ?? new Int32Array(BATCH_RECORDS * N_COLS);
    this.out = new ByteSink(reuse?.bytes ?? new Uint8Array(1 << 20));
    this.offsets = reuse?.offsets ?? new Int32Array(BATCH_RECORDS * N_SEGS);
    this.sketches = reuse?.sketches ?? new Uint32Array(BATCH_RECORDS * sketchWidth);
    this.nearSimilarity = reuse?.nearSimilarity ?? new Float64Array(BATCH_RECORDS);
  }
  extra(i: number): RecordExtra {
    const last = this.extras[this.extras.length - 1];
    if (last !== undefined && last[0] === i) return last[1];
    const e: RecordExtra = {};
    this.extras.push([i, e]);
    return e;
  }
  /** Marks a record without lines (a reject): its segments are empty. */
  endRecord(i: number): void {
    this.offsets.fill(this.out.pos, i * N_SEGS, (i + 1) * N_SEGS);
  }
  build(strings: string[]): StagedBatch {
    return {
      source: this.source, seq: this.seq, n: this.n, cols: this.cols, strings, ids: this.ids, bytes: this.out.buf.subarray(0, this.out.pos),
      offsets: this.offsets, sketches: this.sketches, sketchWidth: this.sketchWidth, nearSimilarity: this.nearSimilarity, extras: this.extras,
    };
  }
}

// ---- threads ------------------------------------------------------------------------------------------------

/** Batches in input order, with the string table their codes point into; `prepare` applies each before the next. */
export interface StagedBatches {
  batches(source: number): AsyncGenerator<{ batch: StagedBatch; strings: readonly string[] }>;
  /** Hands the cleaned evaluation items to the other threads, which index them alike (call once, when the config has eval sets). */
  shareEval(items: QAItem[]): void;
  /** Stops the threads (if any). */
  close(): Promise<void>;
  /** Threads that staged at least one batch, this one counted (1 when no other did). */
  threads(): number;
}

/** Runs the stages in the calling thread; `contamination` gives the eval index (read when the first source starts). */
export function inlineStages(settings: StageSettings, contamination: () => ContaminationIndex | null): StagedBatches {
  let stager: RecordStager | null = null;
  const strings: string[] = [];
  return {
    async *batches(source) {
      stager ??= new RecordStager(settings, contamination());
      for await (const batch of stager.batches(source)) {
        for (const s of batch.strings) strings.push(s);
        yield { batch, strings };
        stager.recycle(batchBuffers(batch));
      }
    },
    shareEval() {},
    async close() {},
    threads: () => 1,
  };
}

const WORKER_TAG = "medtune-prepare-worker";
// A 1 MB young-generation semi-space (V8's default grows to 16 MB): a worker's garbage is per-record and short-lived,
// and at 1M records the smaller nursery keeps tens of MB off the peak RSS for a few percent of CPU.
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 3 };
const CREDIT = 4; // batches a worker may stage ahead of the one being applied

interface WorkerInit {
  tag: typeof WORKER_TAG;
  settings: StageSettings;
  /** Per source: the highest batch number claimed so far (shared by every thread). */
  claims: Int32Array;
  /** Per worker: 1 once it runs (set before its first claim, so a 0 means it has claimed nothing). */
  running: Int32Array;
  worker: number;
}

/** Messages to a worker: the evaluation items (once, first) and the buffers of each applied batch. */
type ToWorker = { type: "eval"; items: QAItem[] } | { type: "recycle"; buffers: BatchBuffers };

type ErrorData = { name: string; message: string; stack?: string; code?: string; where?: string; hint?: string };
type WorkerMessage =
  | { type: "running" }
  | { type: "batch"; batch: StagedBatch }
  | { type: "done"; source: number }
  | { type: "error"; error: ErrorData };

/** A batch goes to the first thread that reaches it: claims[source] only grows, by compare-and-swap. */
function claimer(claims: Int32Array, source: number): (seq: number) => boolean {
  return (seq) => {
    for (;;) {
      const cur = Atomics.load(claims, source);
      if (cur >= seq) return false;
      if (Atomics.compareExchange(claims, source, cur, seq) === cur) return true;
    }
  };
}

/**
 * Runs the stages in this thread and in `extra` worker threads at once. Every thread reads each source in full and
 * stages the batches it reaches first (parsing only those, where the format allows), so faster threads take more;
 * `batches` puts them back in input order. A worker that cannot start leaves its share to the others. With
 * `waitForWorkers` this thread starts staging only once the workers run (else it starts at once and they join in).
 */
export function parallelStages(settings: StageSettings, contamination: () => ContaminationIndex | null, extra: number, waitForWorkers = false): StagedBatches {
  const boot = workerBoot();
  const claims = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, settings.sources.length))).fill(-1);
  let stager: RecordStager | null = null;
  const ownStrings: string[] = [];
  const running = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, extra)));
  const queues: WorkerMessage[][] = [];
  const tables: string[][] = [];
  const gone: boolean[] = []; // failed before it ran: it claims nothing, ever
  const staged: boolean[] = []; // sent at least one batch
  const announced: boolean[] = []; // said it runs
  const workers: Array<Worker | undefined> = [];
  let wake: (() => void) | null = null;
  const deliver = (w: number, m: WorkerMessage) => {
    if (m.type === "running") announced[w] = true;
    else if (m.type === "error" && Atomics.load(running, w) === 0) {
      if (!gone[w]) log.debug(`data prepare: a worker thread could not start (${m.error.message}); the others take its share`);
      gone[w] = true;
    } else queues[w].push(m);
    wake?.();
    wake = null;
  };
  for (let w = 0; w < extra; w++) {
    queues.push([]);
    tables.push([]);
    gone.push(false);
    try {
      const init: WorkerInit = { tag: WORKER_TAG, settings, claims, running, worker: w };
      const worker = new Worker(boot, { eval: true, workerData: init, execArgv: workerExecArgv(), resourceLimits: WORKER_LIMITS });
      const fail = (e: Error) => deliver(w, { type: "error", error: errorData(e) });
      worker.on("message", (m: WorkerMessage) => deliver(w, m));
      worker.on("error", fail);
      worker.on("exit", (code) => fail(new Error(`a data prepare worker stopped (exit code ${code})`)));
      workers[w] = worker;
    } catch (e) {
      log.debug(`data prepare: no worker thread (${(e as Error).message}); this thread takes its share`);
      gone[w] = true;
    }
  }
  return {
    async *batches(source) {
      while (waitForWorkers && !queues.every((_, i) => announced[i] || gone[i])) await new Promise<void>((res) => (wake = res));
      stager ??= new RecordStager(settings, contamination());
      const own = stager.batches(source, claimer(claims, source));
      let ownNext: StagedBatch | null = null;
      let ownDone = false;
      let failure: unknown = null;
      const done = queues.map(() => false); // sent its end (or an error) for this source
      try {
        for (let k = 0; ; k++) {
          for (;;) {
            for (const [w, q] of queues.entries()) {
              while (!done[w] && q.length > 0 && q[0].type !== "batch") {
                const m = q.shift()!;
                if (m.type === "error") failure ??= reviveError(m.error);
                if (m.type === "error" || (m.type === "done" && m.source === source)) done[w] = true;
                // (a "done" of an earlier source comes from a thread that started late and claimed nothing there)
              }
            }
            const w = queues.findIndex((q, i) => !done[i] && q.length > 0 && (q[0] as Extract<WorkerMessage, { type: "batch" }>).batch.seq === k);
            if (w >= 0) {
              const { batch } = queues[w].shift() as Extract<WorkerMessage, { type: "batch" }>;
              staged[w] = true;
              for (const s of batch.strings) tables[w].push(s);
              yield { batch, strings: tables[w] };
              const back = batchBuffers(batch); // the ack hands the buffers back
              workers[w]?.postMessage({ type: "recycle", buffers: back } satisfies ToWorker, transferList(back));
              break;
            }
            if (ownNext !== null && ownNext.seq === k) {
              const batch = ownNext;
              ownNext = null;
              for (const s of batch.strings) ownStrings.push(s);
              yield { batch, strings: ownStrings };
              stager.recycle(batchBuffers(batch));
              break;
            }
            if (ownNext === null && !ownDone) {
              // stage the next batch this thread claims (it may lie beyond k)
              try {
                const r = await own.next();
                if (r.done) ownDone = true;
                else ownNext = r.value;
              } catch (e) {
                ownDone = true;
                failure ??= e;
              }
              continue;
            }
            if (queues.every((_, i) => done[i] || gone[i] || Atomics.load(running, i) === 0)) {
              // no thread has batch k: the source ends here, or failed at this record (as it would in one thread)
              if (failure !== null) throw failure;
              if (ownNext !== null) throw new Error(`internal error: batch ${k} of source ${source} was claimed but never staged`);
              return;
            }
            await new Promise<void>((res) => (wake = res));
          }
        }
      } finally {
        await own.return(undefined);
      }
    },
    shareEval(items) {
      for (const w of workers) w?.postMessage({ type: "eval", items } satisfies ToWorker);
    },
    async close() {
      await Promise.all(workers.map((w) => w?.terminate()));
    },
    threads: () => 1 + staged.filter(Boolean).length,
  };
}

/**
 * The worker's entry script: it imports this module, whose last lines start the worker. Run from TypeScript source
 * (tests, `node --import tsx`), it first registers tsx in the worker: under Node 20 tsx hooks the main thread only.
 */
function workerBoot(): string {
  const self = import.meta.url;
  let prelude = "";
  if (self.endsWith(".ts")) {
    try {
      prelude = `(await import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))})).register();`;
    } catch {
      // no tsx: the import below fails and the worker counts as unavailable
    }
  }
  return `(async () => { ${prelude} await import(${JSON.stringify(self)}); })().catch((e) => setImmediate(() => { throw e; }));`;
}

/**
 * The node options for a worker: this process's (undefined: inherited), unless they carry the main script itself
 * (`-e code`, `--input-type`), which a worker refuses; then only the module loaders (`--import tsx` and the like).
 * V8 flags need no passing on: they hold for the whole process.
 */
function workerExecArgv(): string[] | undefined {
  const argv = process.execArgv;
  if (!argv.some((a) => /^(?:-e|--eval|-p|--print|--input-type)(?:=|$)/.test(a))) return undefined;
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (/^(?:--import|--require|-r|--loader|--experimental-loader)=/.test(argv[i])) out.push(argv[i]);
    else if (/^(?:--import|--require|-r|--loader|--experimental-loader)$/.test(argv[i]) && i + 1 < argv.length) out.push(argv[i], argv[++i]);
  }
  return out;
}

/** The buffers of a batch, to move (not copy) between threads. */
function transferList(b: Pick<BatchBuffers, keyof BatchBuffers>): ArrayBuffer[] {
  return [b.bytes.buffer, b.cols.buffer, b.offsets.buffer, b.sketches.buffer, b.nearSimilarity.buffer] as ArrayBuffer[];
}

function errorData(e: unknown): ErrorData {
  if (e instanceof MedtuneError) return { name: e.name, message: e.message, stack: e.stack, code: e.code, where: e.where, hint: e.hint };
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: "Error", message: String(e) };
}

/** The error a worker reported, rebuilt in this thread (a MedtuneError stays one, so the CLI prints its one line). */
function reviveError(d: ErrorData): Error {
  if (d.code !== undefined) return new MedtuneError(d.code, d.message, { where: d.where, hint: d.hint });
  const e = new Error(d.message);
  e.name = d.name;
  if (d.stack) e.stack = d.stack;
  return e;
}

async function runWorker(port: MessagePort, init: WorkerInit): Promise<void> {
  Atomics.store(init.running, init.worker, 1);
  port.postMessage({ type: "running" } satisfies WorkerMessage);
  let credit = CREDIT;
  let wake: (() => void) | null = null;
  let stager: RecordStager | null = null;
  let gotEval: (items: QAItem[]) => void = () => {};
  const evalItems = new Promise<QAItem[]>((res) => (gotEval = res));
  port.on("message", (m: ToWorker) => {
    if (m.type === "eval") {
      gotEval(m.items);
      return;
    }
    credit++;
    stager?.recycle(m.buffers);
    wake?.();
    wake = null;
  });
  try {
    const { settings } = init;
    const { config } = settings;
    // the calling thread reads and cleans the eval sets once and shares the items; each thread builds its own index
    const contamination = config.eval.length > 0 ? await contaminationIndex(config, await evalItems) : null;
    stager = new RecordStager(settings, contamination);
    for (let s = 0; s < settings.sources.length; s++) {
      for await (const batch of stager.batches(s, claimer(init.claims, s))) {
        while (credit === 0) await new Promise<void>((r) => (wake = r));
        credit--;
        port.postMessage({ type: "batch", batch } satisfies WorkerMessage, transferList(batch));
      }
      port.postMessage({ type: "done", source: s } satisfies WorkerMessage);
    }
  } catch (e) {
    port.postMessage({ type: "error", error: errorData(e) } satisfies WorkerMessage);
  }
}

if (!isMainThread && parentPort !== null && (workerData as WorkerInit | undefined)?.tag === WORKER_TAG) {
  void runWorker(parentPort, workerData as WorkerInit);
}
