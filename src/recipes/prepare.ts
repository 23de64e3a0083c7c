// `medtune data prepare`: read every source, clean, validate, deduplicate, scrub PHI, decontaminate against the
// evaluation sets, split and export, streaming record by record; then write the data card. Every record read is
// accounted for: read = kept + quarantined + duplicates + contaminated.
import { existsSync, readFileSync, statSync, readdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve, relative } from "node:path";
import {
  AtomicWriter, MedtuneError, raiseJitBudget, validateConfig, Progress, sha256File, writeJsonAtomic, writeFileAtomic, assetPath, medtuneVersion, runFolderName, log,
} from "../core/index.ts";
import {
  getAdapter, ContaminationIndex, StratifiedSplitter, SPLITS, TEMPLATES, PromptTemplateSchema, checkTemplate, LengthStats, bump, renderDataCardMarkdown,
  type QAItem, type QuarantineRecord, type PromptTemplate, type DataCard, type SourceCounts, type HashedFile,
} from "../data/index.ts";
import { PrepareConfigSchema, type PrepareConfig, type SourceConfig } from "./prepare-config.ts";
import {
  COL, N_COLS, N_SEGS, SEG, REC_INVALID, REC_PHI_INVALID, REC_READ_ERROR, contaminationIndex, inlineStages, makeDeduplicator, parallelStages, readEvalItems,
  type StageSettings, type StagedBatch,
} from "./prepare-worker.ts";

/** The built-in demo sources: medtune's own original MCQ and open QA set. */
export function demoSources(): SourceConfig[] {
  return [
    { format: "medtune", path: assetPath("demo/mcq.jsonl"), name: "medtune-demo" },
    { format: "medtune", path: assetPath("demo/open.jsonl"), name: "medtune-demo" },
  ];
}

/** What a prepare run returns: where it wrote and its data card. */
export interface PrepareResult {
  outDir: string;
  card: DataCard;
  /** Threads that ran the record stages (1: this one alone). */
  threads: number;
}

/** Options that are not part of the saved config. */
export interface PrepareOptions {
  /** Print nothing (tests, benchmarks). */
  quiet?: boolean;
  /** Base directory for relative paths in the config (default: cwd). */
  baseDir?: string;
  /**
   * Threads that run the record stages, this one included (1: no worker threads). Default: min(2, available cores)
   * when the sources hold at least 8 MB, else 1; an explicit count also waits for its threads to start, so a small
   * input is shared too. The outputs are byte-identical whatever the count.
   */
  workers?: number;
}

const MIN_PARALLEL_BYTES = 8 << 20; // below this, starting a thread costs more than it saves

function threadCount(requested: number | undefined, bytes: number): number {
  if (requested !== undefined && Number.isFinite(requested)) return Math.max(1, Math.floor(requested));
  return bytes >= MIN_PARALLEL_BYTES ? Math.min(2, availableParallelism()) : 1;
}

const NO_ENTRIES = new Int32Array(0);

/** Writes `record` as a JSON line with `item` (the JSON of an item, as UTF-8) as its last field, as JSON.stringify({ ...record, item }) would. */
function writeWithItem(out: AtomicWriter, record: Record<string, unknown>, item: Uint8Array): void {
  out.write(JSON.stringify(record).slice(0, -1) + ',"item":');
  out.writeBytes(item);
  out.write("}\n");
}

function resolveTemplate(t: PrepareConfig["export"]["template"], baseDir: string): PromptTemplate {
  let tpl: PromptTemplate;
  if (typeof t !== "string") tpl = t;
  else if (TEMPLATES[t]) tpl = TEMPLATES[t];
  else {
    const p = resolve(baseDir, t);
    if (!existsSync(p)) {
      throw new MedtuneError("prepare.template", `unknown prompt template "${t}"`, { where: "export.template", hint: `use one of ${Object.keys(TEMPLATES).join(", ")} or a path to a template JSON file` });
    }
    const r = PromptTemplateSchema.safeParse(JSON.parse(readFileSync(p, "utf8")));
    if (!r.success) throw new MedtuneError("prepare.template", `invalid prompt template: ${r.error.issues[0].path.join(".")} ${r.error.issues[0].message}`, { where: p, hint: "fix the template file" });
    tpl = r.data;
  }
  const problem = checkTemplate(tpl);
  if (problem) throw new MedtuneError("prepare.template", `prompt template "${tpl.name}" is unusable: ${problem}`, { where: "export.template", hint: "put the placeholder back into the template" });
  return tpl;
}

function listFiles(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  const out: string[] = [];
  for (const name of readdirSync(path).sort()) {
    if (name.startsWith(".")) continue;
    out.push(...listFiles(join(path, name)));
  }
  return out;
}

function newCounts(): SourceCounts {
  return { read: 0, kept: 0, quarantined: 0, duplicates: 0, contaminated: 0 };
}

/** Runs the data pipeline with an already validated config. */
export async function prepare(config: PrepareConfig, opts: PrepareOptions = {}): Promise<PrepareResult> {
  raiseJitBudget(); // fewer deoptimize/recompile cycles of the record stages (see core/jit-budget.ts)
  // the year birth years are measured against, fixed now and saved with the config so a rerun scrubs alike
  if (config.phi.referenceYear === undefined) config = { ...config, phi: { ...config.phi, referenceYear: new Date().getUTCFullYear() } };
  const baseDir = opts.baseDir ?? process.cwd();
  const sources = config.sources.length > 0 ? config.sources : demoSources();
  const template = resolveTemplate(config.export.template, baseDir);
  const abs = (p: string) => resolve(baseDir, p);
  for (const [i, s] of [...sources.map((s) => ["sources", s] as const), ...config.eval.map((s) => ["eval", s] as const)].entries()) {
    const [where, src] = s;
    getAdapter(src.format); // throws with the list of known formats
    if (!existsSync(abs(src.path))) {
      throw new MedtuneError("prepare.source-missing", `${where} file or folder not found: ${src.path}`, { where: `${where}[${i}].path`, hint: "check the path (relative paths are resolved from the current folder)" });
    }
  }
  const outDir = abs(config.out ?? join(config.runsDir, runFolderName("prepare", config.name)));
  const quiet = opts.quiet ?? false;
  const say = (m: string) => { if (!quiet) log.info(m); };
  writeJsonAtomic(join(outDir, "config.json"), { ...config, sources, medtuneVersion: medtuneVersion() });
  writeJsonAtomic(join(outDir, "prompt-template.json"), template);

  // Counters for the data card.
  const total = newCounts();
  let flagged = 0;
  const perSource: Record<string, SourceCounts> = {};
  const readStage = { records: 0, errors: 0, byReason: {} as Record<string, number> };
  const cleanStage = { itemsChanged: 0, byField: {} as Record<string, number> };
  const validateStage = { rejected: 0, byReason: {} as Record<string, number> };
  const phiStage = { enabled: config.phi.enabled, referenceYear: config.phi.referenceYear!, itemsWithPhi: 0, replacements: 0, byType: {} as Record<string, number>, rejected: 0, rejectedByReason: {} as Record<string, number> };
  const contStage: DataCard["stages"]["contamination"] = {
    evalSets: [], action: config.contamination.action, hits: 0, dropped: 0, flagged: 0, byKind: {}, byEvalSource: {}, examples: [],
  };
  const quarantineByReason: Record<string, number> = {};
  const inputs: HashedFile[] = [];

  // Stages 1-5 run record by record in batches (prepare-worker.ts), in worker threads for large inputs: each record
  // is read, cleaned, validated, hashed for dedup, PHI-scrubbed, scanned for contamination and rendered there.
  // The order-dependent stages are applied here, batch by batch in input order: dedup and contamination decisions,
  // split, writes and counts. Worker threads start first, so they load while the evaluation index is built here.
  const settings: StageSettings = { config, sources, template, baseDir };
  const sourceFiles = sources.map((src) => listFiles(abs(src.path)));
  let inputBytes = 0;
  for (const f of sourceFiles.flat()) inputBytes += statSync(f).size;
  const nThreads = threadCount(opts.workers, inputBytes);
  let contamination: ContaminationIndex | null = null;
  // an explicit count is honoured even for a small input: this thread waits for the others to start
  const stages = nThreads > 1 ? parallelStages(settings, () => contamination, nThreads - 1, opts.workers !== undefined) : inlineStages(settings, () => contamination);

  // Evaluation sets: read, clean, index. Invalid eval records are skipped (they cannot leak a gold answer).
  try {
    if (config.eval.length > 0) {
      const evalItems = await readEvalItems(config, abs, async (e, n) => {
        contStage.evalSets.push({ source: e.name ?? e.format, path: e.path, items: n });
        for (const f of listFiles(abs(e.path))) inputs.push({ path: relative(baseDir, f) || f, sha256: await sha256File(f), bytes: statSync(f).size, format: `${e.format} (eval)` });
      });
      stages.shareEval(evalItems);
      contamination = await contaminationIndex(config, evalItems);
      say(`indexed ${evalItems.length} evaluation items for decontamination`);
    }
    for (const [i, src] of sources.entries()) {
      for (const f of sourceFiles[i]) inputs.push({ path: relative(baseDir, f) || f, sha256: await sha256File(f), bytes: statSync(f).size, format: src.format });
    }
  } catch (e) {
    await stages.close(); // stop the worker threads
    throw e;
  }

  const hashed = { sha256: true };
  const quarantine = new AtomicWriter(join(outDir, "quarantine.jsonl"), hashed);
  const duplicatesOut = new AtomicWriter(join(outDir, "duplicates.jsonl"), hashed);
  const contaminationOut = new AtomicWriter(join(outDir, "contamination.jsonl"), hashed);
  // 6. split and 7. export happen as each item is kept: one streaming pass, no second read.
  const writers = SPLITS.map((s) => new AtomicWriter(join(outDir, `${s}.jsonl`), hashed));
  const chat = config.export.formats.includes("chat") ? SPLITS.map((s) => new AtomicWriter(join(outDir, `${s}.chat.jsonl`), hashed)) : null;
  const comp = config.export.formats.includes("completion") ? SPLITS.map((s) => new AtomicWriter(join(outDir, `${s}.completion.jsonl`), hashed)) : null;
  const outWriters = [...writers, ...(chat ?? []), ...(comp ?? [])];
  const allWriters = [quarantine, duplicatesOut, contaminationOut, ...outWriters];
  const dist = { kind: {} as Record<string, number>, source: {} as Record<string, number>, subject: {} as Record<string, number>, label: {} as Record<string, number> };
  const perSplit: DataCard["distributions"]["perSplit"] = {};
  for (const s of SPLITS) perSplit[s] = { source: {}, label: {}, kind: {} };
  const lengths = { questionWords: new LengthStats(), answerWords: new LengthStats(), contextWords: new LengthStats(), explanationWords: new LengthStats(), promptWords: new LengthStats(), completionWords: new LengthStats() };
  // presized for one item per KiB of input (real sets average 0.5-2 KiB per record): fewer index rebuilds, and a
  // table that grows past it costs nothing more than before
  const dedup = makeDeduplicator(config, inputBytes / 1024);
  const splitter = new StratifiedSplitter({ train: config.split.train, validation: config.split.validation, test: config.split.test }, config.seed);
  const progress = new Progress("prepare", { unit: "records", quiet });
  const decoder = new TextDecoder();

  const reject = (rec: QuarantineRecord, src: string) => {
    if (config.strict) {
      throw new MedtuneError("prepare.rejected", `record rejected at ${rec.stage}: ${rec.message} (${rec.reason})`, { where: `${rec.file}:${rec.line} field ${rec.field}`, hint: "fix the record, or run without --strict to quarantine it and go on" });
    }
    quarantine.writeLine(rec);
    bump(quarantineByReason, rec.reason);
    total.quarantined++;
    perSource[src].quarantined++;
  };

  // The rest of the pipeline for one staged batch, record by record in input order.
  const apply = (b: StagedBatch, strings: readonly string[], name: string) => {
    const { cols, bytes, offsets, sketches, sketchWidth, ids } = b;
    const counts = perSource[name];
    let e = 0; // next entry of b.extras
    for (let i = 0; i < b.n; i++) {
      const c = i * N_COLS;
      const o = i * N_SEGS;
      const extra = e < b.extras.length && b.extras[e][0] === i ? b.extras[e++][1] : undefined;
      total.read++;
      readStage.records++;
      counts.read++;
      const status = cols[c + COL.status];
      if (status === REC_READ_ERROR) {
        const rec = extra!.reject!;
        readStage.errors++;
        bump(readStage.byReason, rec.reason);
        reject(rec, name);
        continue;
      }
      // 1. clean
      if (extra?.changed) {
        cleanStage.itemsChanged++;
        for (const f of extra.changed) bump(cleanStage.byField, f);
      }
      // 2. validate
      if (status === REC_INVALID) {
        const rec = extra!.reject!;
        validateStage.rejected++;
        bump(validateStage.byReason, rec.reason);
        reject(rec, name);
        continue;
      }
      if (status === REC_PHI_INVALID) {
        // rejected before the dedup decision: an item the scrub broke never represents a duplicate cluster
        const rec = extra!.reject!;
        phiStage.rejected++;
        bump(phiStage.rejectedByReason, rec.reason);
        reject(rec, name);
        continue;
      }
      const id = ids[i];
      const file = strings[cols[c + COL.file]];
      const line = cols[c + COL.line];
      // the canonical line without its newline (after the PHI scrub), and the item as deduplicated (before it)
      const itemJson = bytes.subarray(offsets[o + SEG.item], offsets[o + SEG.chat] - 1);
      // 3. deduplicate
      if (dedup) {
        const d = dedup.checkSketch(id, sketches, i * sketchWidth);
        if (d.status !== "unique") {
          total.duplicates++;
          counts.duplicates++;
          const pre = cols[c + COL.phi] > 0 ? bytes.subarray(offsets[o + SEG.preItem], offsets[o + SEG.end] - 1) : itemJson;
          writeWithItem(duplicatesOut, { id, kind: d.status, of: d.of, similarity: +d.similarity.toFixed(4), file, line }, pre);
          continue;
        }
      }
      // 4. PHI scrub
      if (extra?.phi) {
        for (const [type, n] of extra.phi) bump(phiStage.byType, type, n);
        phiStage.itemsWithPhi++;
        phiStage.replacements += cols[c + COL.phi];
      }
      // 5. contamination
      let flaggedLine: string | null = null;
      if (contamination) {
        const hit = contamination.decide({ entries: extra?.scan?.entries ?? NO_ENTRIES, ngrams: extra?.scan?.ngrams ?? [], near: cols[c + COL.near], nearSimilarity: b.nearSimilarity[i] });
        if (hit) {
          contStage.hits++;
          bump(contStage.byKind, hit.kind);
          bump(contStage.byEvalSource, hit.evalSource);
          if (contStage.examples.length < 50) contStage.examples.push({ id, evalId: hit.evalId, kind: hit.kind, overlap: hit.overlap, ngram: hit.ngram });
          const record = { id, action: config.contamination.action, ...hit, file, line };
          if (config.contamination.action === "drop") {
            writeWithItem(contaminationOut, record, itemJson); // a dropped item is kept here whole, so nothing is lost
            contStage.dropped++;
            total.contaminated++;
            counts.contaminated++;
            continue;
          }
          contaminationOut.writeLine(record);
          contStage.flagged++;
          flagged++;
          const item = JSON.parse(decoder.decode(itemJson)) as QAItem;
          flaggedLine = JSON.stringify({ ...item, metadata: { ...item.metadata, contamination: { evalId: hit.evalId, kind: hit.kind, overlap: hit.overlap } } }) + "\n";
        }
      }
      total.kept++;
      counts.kept++;
      // 6. split and 7. export
      const si = splitter.assign(strings[cols[c + COL.stratum]]);
      const split = SPLITS[si];
      if (flaggedLine !== null) writers[si].write(flaggedLine);
      else writers[si].writeBytes(bytes.subarray(offsets[o + SEG.item], offsets[o + SEG.chat]));
      if (comp) comp[si].writeBytes(bytes.subarray(offsets[o + SEG.completion], offsets[o + SEG.preItem]));
      if (chat) chat[si].writeBytes(bytes.subarray(offsets[o + SEG.chat], offsets[o + SEG.completion]));
      const kind = strings[cols[c + COL.kind]];
      const source = strings[cols[c + COL.source]];
      const label = strings[cols[c + COL.label]];
      bump(dist.kind, kind);
      bump(dist.source, source);
      bump(dist.subject, strings[cols[c + COL.subject]]);
      bump(dist.label, label);
      bump(perSplit[split].source, source);
      bump(perSplit[split].label, label);
      bump(perSplit[split].kind, kind);
      // 8. lengths
      lengths.questionWords.add(cols[c + COL.questionWords]);
      lengths.answerWords.add(cols[c + COL.answerWords]);
      if (cols[c + COL.contextWords] >= 0) lengths.contextWords.add(cols[c + COL.contextWords]);
      if (cols[c + COL.explanationWords] >= 0) lengths.explanationWords.add(cols[c + COL.explanationWords]);
      lengths.promptWords.add(cols[c + COL.promptWords]);
      lengths.completionWords.add(cols[c + COL.completionWords]);
    }
    progress.tick(b.n);
  };

  try {
    for (const [i, src] of sources.entries()) {
      const name = src.name ?? src.format;
      perSource[name] ??= newCounts();
      const before = perSource[name].read;
      for await (const { batch, strings } of stages.batches(i)) {
        apply(batch, strings, name);
        await Promise.all(allWriters.map((w) => w.flushIfNeeded()));
      }
      if (perSource[name].read === before) log.warn(`source ${name} (${src.path}) has no records: is the file empty or the format wrong?`);
    }
    await Promise.all(allWriters.map((w) => w.close()));
  } catch (e) {
    await Promise.all(allWriters.map((w) => w.abort()));
    throw e;
  } finally {
    await stages.close();
  }
  progress.finish();
  const threads = stages.threads();

  // Dedup clusters, written once all items are seen.
  const clusters = dedup ? dedup.clusters() : [];
  const clusterOut = new AtomicWriter(join(outDir, "dedup-clusters.jsonl"), hashed);
  for (const c of clusters) {
    clusterOut.writeLine(c);
    await clusterOut.flushIfNeeded();
  }
  await clusterOut.close();

  const splitCounts = splitter.counts;

  // 8. data card, with content hashes of every output.
  const outputs: HashedFile[] = [];
  const outFiles = ["quarantine.jsonl", "duplicates.jsonl", "contamination.jsonl", "dedup-clusters.jsonl", "prompt-template.json",
    ...SPLITS.flatMap((s) => [`${s}.jsonl`, ...(chat ? [`${s}.chat.jsonl`] : []), ...(comp ? [`${s}.completion.jsonl`] : [])])];
  const recordsOf: Record<string, number> = { "quarantine.jsonl": total.quarantined, "duplicates.jsonl": total.duplicates, "dedup-clusters.jsonl": clusters.length };
  SPLITS.forEach((s, i) => { recordsOf[`${s}.jsonl`] = recordsOf[`${s}.chat.jsonl`] = recordsOf[`${s}.completion.jsonl`] = splitCounts[i]; });
  // the streamed outputs were hashed as they were written
  const hashOf = new Map([...allWriters, clusterOut].map((w) => [w.path, w.sha256()]));
  for (const f of outFiles) {
    const p = join(outDir, f);
    outputs.push({ path: f, sha256: hashOf.get(p) ?? (await sha256File(p)), bytes: statSync(p).size, records: recordsOf[f] });
  }
  const balanced = total.read === total.kept + total.quarantined + total.duplicates + total.contaminated
    && Object.values(perSource).every((c) => c.read === c.kept + c.quarantined + c.duplicates + c.contaminated);
  const stats = dedup?.stats();
  const card: DataCard = {
    medtuneVersion: medtuneVersion(),
    name: config.name,
    createdAt: new Date().toISOString(),
    seed: config.seed,
    reconciliation: { ...total, flagged, balanced },
    perSource,
    stages: {
      read: readStage,
      clean: cleanStage,
      validate: validateStage,
      deduplicate: { enabled: config.dedup.enabled, exact: stats?.exact ?? 0, near: stats?.near ?? 0, clusters: clusters.length, threshold: config.dedup.threshold },
      phi: phiStage,
      contamination: contStage,
      split: { counts: Object.fromEntries(SPLITS.map((s, i) => [s, splitCounts[i]])), fractions: { train: config.split.train, validation: config.split.validation, test: config.split.test }, stratifyBy: config.split.stratifyBy },
    },
    quarantineByReason,
    distributions: { ...dist, perSplit },
    lengths: Object.fromEntries(Object.entries(lengths).map(([k, v]) => [k, v.summary()])),
    promptTemplate: template.name,
    inputs,
    outputs,
  };
  if (!balanced) throw new Error(`internal error: counts do not reconcile: ${JSON.stringify(total)}`);
  writeJsonAtomic(join(outDir, "data.json"), { inputs, counts: total, perSource });
  writeJsonAtomic(join(outDir, "data-card.json"), card);
  writeFileAtomic(join(outDir, "data-card.md"), renderDataCardMarkdown(card));
  say(`read ${total.read} = kept ${total.kept} + quarantined ${total.quarantined} + duplicates ${total.duplicates} + contaminated ${total.contaminated}`);
  say(`splits: train ${splitCounts[0]}, validation ${splitCounts[1]}, test ${splitCounts[2]}; wrote ${outDir}`);
  return { outDir, card, threads };
}

/** Validates a raw config value (file + flags merged) and runs the pipeline. */
export async function prepareFromRaw(raw: unknown, where: string, opts: PrepareOptions = {}): Promise<PrepareResult> {
  return prepare(validateConfig(PrepareConfigSchema, raw, where), opts);
}
