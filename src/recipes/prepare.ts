// `medtune data prepare`: read every source, clean, validate, deduplicate, scrub PHI, decontaminate against the
// evaluation sets, split and export, streaming record by record; then write the data card. Every record read is
// accounted for: read = kept + quarantined + duplicates + contaminated.
import { existsSync, readFileSync, statSync, readdirSync } from "node:fs";
import { join, resolve, relative } from "node:path";
import {
  AtomicWriter, MedtuneError, validateConfig, Progress, sha256File, writeJsonAtomic, writeFileAtomic, assetPath, medtuneVersion, runFolderName, log,
} from "../core/index.ts";
import {
  getAdapter, cleanItem, validateItem, Deduplicator, scrubItemPhi, ContaminationIndex, StratifiedSplitter, stratumOf, labelOf,
  SPLITS, TEMPLATES, PromptTemplateSchema, checkTemplate, renderExample, renderMessages, LengthStats, wordCount, bump,
  renderDataCardMarkdown,
  type QAItem, type QuarantineRecord, type SourceRecord, type PromptTemplate, type DataCard, type SourceCounts, type HashedFile,
} from "../data/index.ts";
import { PrepareConfigSchema, type PrepareConfig, type SourceConfig } from "./prepare-config.ts";

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
}

/** Options that are not part of the saved config. */
export interface PrepareOptions {
  /** Print nothing (tests, benchmarks). */
  quiet?: boolean;
  /** Base directory for relative paths in the config (default: cwd). */
  baseDir?: string;
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
  const phiStage = { enabled: config.phi.enabled, itemsWithPhi: 0, replacements: 0, byType: {} as Record<string, number> };
  const contStage: DataCard["stages"]["contamination"] = {
    evalSets: [], action: config.contamination.action, hits: 0, dropped: 0, flagged: 0, byKind: {}, byEvalSource: {}, examples: [],
  };
  const quarantineByReason: Record<string, number> = {};
  const inputs: HashedFile[] = [];

  // Evaluation sets: read, clean, index. Invalid eval records are skipped (they cannot leak a gold answer).
  let contamination: ContaminationIndex | null = null;
  if (config.eval.length > 0) {
    const evalItems: QAItem[] = [];
    for (const e of config.eval) {
      const adapter = getAdapter(e.format);
      let n = 0;
      for await (const rec of adapter.read(abs(e.path), { sourceName: e.name ?? e.format, mapping: e.mapping, header: e.header, subject: e.subject, maxRecordBytes: config.maxRecordBytes })) {
        if (!rec.item) continue;
        evalItems.push(config.clean.enabled ? cleanItem(rec.item).item : rec.item);
        n++;
      }
      contStage.evalSets.push({ source: e.name ?? e.format, path: e.path, items: n });
      for (const f of listFiles(abs(e.path))) inputs.push({ path: relative(baseDir, f) || f, sha256: await sha256File(f), bytes: statSync(f).size, format: `${e.format} (eval)` });
    }
    contamination = await ContaminationIndex.build(evalItems, {
      ngram: config.contamination.ngram, threshold: config.contamination.threshold, near: config.contamination.near,
      minCoverage: config.contamination.minCoverage, maxEvalItems: config.contamination.maxEvalItems, maxTrainMatches: config.contamination.maxTrainMatches,
    });
    say(`indexed ${evalItems.length} evaluation items for decontamination`);
  }

  const quarantine = new AtomicWriter(join(outDir, "quarantine.jsonl"));
  const duplicatesOut = new AtomicWriter(join(outDir, "duplicates.jsonl"));
  const contaminationOut = new AtomicWriter(join(outDir, "contamination.jsonl"));
  // 6. split and 7. export happen as each item is kept: one streaming pass, no second read.
  const writers = SPLITS.map((s) => new AtomicWriter(join(outDir, `${s}.jsonl`)));
  const chat = config.export.formats.includes("chat") ? SPLITS.map((s) => new AtomicWriter(join(outDir, `${s}.chat.jsonl`))) : null;
  const comp = config.export.formats.includes("completion") ? SPLITS.map((s) => new AtomicWriter(join(outDir, `${s}.completion.jsonl`))) : null;
  const outWriters = [...writers, ...(chat ?? []), ...(comp ?? [])];
  const dist = { kind: {} as Record<string, number>, source: {} as Record<string, number>, subject: {} as Record<string, number>, label: {} as Record<string, number> };
  const perSplit: DataCard["distributions"]["perSplit"] = {};
  for (const s of SPLITS) perSplit[s] = { source: {}, label: {}, kind: {} };
  const lengths = { questionWords: new LengthStats(), answerWords: new LengthStats(), contextWords: new LengthStats(), explanationWords: new LengthStats(), promptWords: new LengthStats(), completionWords: new LengthStats() };
  const dedup = config.dedup.enabled ? new Deduplicator({ threshold: config.dedup.threshold, near: config.dedup.near, seed: config.seed }) : null;
  const splitter = new StratifiedSplitter({ train: config.split.train, validation: config.split.validation, test: config.split.test }, config.seed);
  const phiOptions = { types: config.phi.types }; // one object: the scrubber compiles it once
  const progress = new Progress("prepare", { unit: "records", quiet });

  const reject = (rec: QuarantineRecord, src: string) => {
    if (config.strict) {
      throw new MedtuneError("prepare.rejected", `record rejected at ${rec.stage}: ${rec.message} (${rec.reason})`, { where: `${rec.file}:${rec.line} field ${rec.field}`, hint: "fix the record, or run without --strict to quarantine it and go on" });
    }
    quarantine.writeLine(rec);
    bump(quarantineByReason, rec.reason);
    total.quarantined++;
    perSource[src].quarantined++;
  };

  try {
    for (const src of sources) {
      const name = src.name ?? src.format;
      perSource[name] ??= newCounts();
      const files = listFiles(abs(src.path));
      for (const f of files) inputs.push({ path: relative(baseDir, f) || f, sha256: await sha256File(f), bytes: statSync(f).size, format: src.format });
      const adapter = getAdapter(src.format);
      let nInSource = 0;
      for await (const rec of adapter.read(abs(src.path), { sourceName: name, mapping: src.mapping, header: src.header, subject: src.subject, maxRecordBytes: config.maxRecordBytes }) as AsyncGenerator<SourceRecord>) {
        nInSource++;
        total.read++;
        readStage.records++;
        perSource[name].read++;
        progress.tick();
        const file = relative(baseDir, rec.file) || rec.file;
        if (!rec.item) {
          const err = rec.error ?? { field: "(record)", reason: "read.unknown", message: "the adapter could not map this record" };
          readStage.errors++;
          bump(readStage.byReason, err.reason);
          reject({ stage: "read", reason: err.reason, message: err.message, field: err.field, file, line: rec.line, raw: rec.raw, bytes: rec.bytes }, name);
          await quarantine.flushIfNeeded();
          continue;
        }
        // 1. clean
        let item = rec.item;
        if (config.clean.enabled) {
          const c = cleanItem(item);
          item = c.item;
          if (c.changed.length > 0) {
            cleanStage.itemsChanged++;
            for (const f of c.changed) bump(cleanStage.byField, f);
          }
        }
        // 2. validate
        const problem = validateItem(item);
        if (problem) {
          validateStage.rejected++;
          bump(validateStage.byReason, problem.reason);
          reject({ stage: "validate", reason: problem.reason, message: problem.message, field: problem.field, file, line: rec.line, id: item.id, raw: rec.raw, bytes: rec.bytes }, name);
          await quarantine.flushIfNeeded();
          continue;
        }
        // 3. deduplicate
        if (dedup) {
          const d = dedup.check(item);
          if (d.status !== "unique") {
            total.duplicates++;
            perSource[name].duplicates++;
            duplicatesOut.writeLine({ id: item.id, kind: d.status, of: d.of, similarity: +d.similarity.toFixed(4), file, line: rec.line, item });
            await duplicatesOut.flushIfNeeded();
            continue;
          }
        }
        // 4. PHI scrub
        if (config.phi.enabled) {
          const p = scrubItemPhi(item, phiOptions);
          let n = 0;
          for (const [type, c] of Object.entries(p.counts) as Array<[string, number | undefined]>) {
            if (!c) continue;
            bump(phiStage.byType, type, c);
            n += c;
          }
          if (n > 0) {
            phiStage.itemsWithPhi++;
            phiStage.replacements += n;
            item = { ...p.item, metadata: { ...p.item.metadata, phiReplaced: n } };
          }
        }
        // 5. contamination
        if (contamination) {
          const hit = contamination.check(item);
          if (hit) {
            contStage.hits++;
            bump(contStage.byKind, hit.kind);
            bump(contStage.byEvalSource, hit.evalSource);
            if (contStage.examples.length < 50) contStage.examples.push({ id: item.id, evalId: hit.evalId, kind: hit.kind, overlap: hit.overlap, ngram: hit.ngram });
            const drop = config.contamination.action === "drop";
            // A dropped item is kept here whole, so nothing is lost.
            contaminationOut.writeLine({ id: item.id, action: config.contamination.action, ...hit, file, line: rec.line, ...(drop ? { item } : {}) });
            await contaminationOut.flushIfNeeded();
            if (drop) {
              contStage.dropped++;
              total.contaminated++;
              perSource[name].contaminated++;
              continue;
            }
            contStage.flagged++;
            flagged++;
            item = { ...item, metadata: { ...item.metadata, contamination: { evalId: hit.evalId, kind: hit.kind, overlap: hit.overlap } } };
          }
        }
        total.kept++;
        perSource[name].kept++;
        const si = splitter.assign(stratumOf(item, config.split.stratifyBy));
        const split = SPLITS[si];
        writers[si].writeLine(item);
        const ex = renderExample(item, template, { withExplanation: config.export.withExplanation });
        if (comp) comp[si].writeLine({ id: item.id, prompt: ex.prompt, completion: ex.completion });
        if (chat) chat[si].writeLine({ id: item.id, messages: renderMessages(item, template, { withExplanation: config.export.withExplanation }) });
        const label = labelOf(item);
        bump(dist.kind, item.kind);
        bump(dist.source, item.source);
        bump(dist.subject, item.subject ?? "(none)");
        bump(dist.label, label);
        bump(perSplit[split].source, item.source);
        bump(perSplit[split].label, label);
        bump(perSplit[split].kind, item.kind);
        lengths.questionWords.add(wordCount(item.question));
        lengths.answerWords.add(item.kind === "mcq" ? wordCount(item.options?.find((o) => o.label === item.answer)?.text ?? "") : wordCount(item.answer));
        if (item.context) lengths.contextWords.add(item.context.reduce((a, c) => a + wordCount(c), 0));
        if (item.explanation) lengths.explanationWords.add(wordCount(item.explanation));
        lengths.promptWords.add(wordCount(ex.prompt));
        lengths.completionWords.add(wordCount(ex.completion));
        await writers[si].flushIfNeeded();
        if (comp) await comp[si].flushIfNeeded();
        if (chat) await chat[si].flushIfNeeded();
      }
      if (nInSource === 0) log.warn(`source ${name} (${src.path}) has no records: is the file empty or the format wrong?`);
    }
    await Promise.all([quarantine.close(), duplicatesOut.close(), contaminationOut.close(), ...outWriters.map((w) => w.close())]);
  } catch (e) {
    await Promise.all([quarantine.abort(), duplicatesOut.abort(), contaminationOut.abort(), ...outWriters.map((w) => w.abort())]);
    throw e;
  }
  progress.finish();

  // Dedup clusters, written once all items are seen.
  const clusters = dedup ? dedup.clusters() : [];
  const clusterOut = new AtomicWriter(join(outDir, "dedup-clusters.jsonl"));
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
  for (const f of outFiles) {
    const p = join(outDir, f);
    outputs.push({ path: f, sha256: await sha256File(p), bytes: statSync(p).size, records: recordsOf[f] });
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
  return { outDir, card };
}

/** Validates a raw config value (file + flags merged) and runs the pipeline. */
export async function prepareFromRaw(raw: unknown, where: string, opts: PrepareOptions = {}): Promise<PrepareResult> {
  return prepare(validateConfig(PrepareConfigSchema, raw, where), opts);
}
