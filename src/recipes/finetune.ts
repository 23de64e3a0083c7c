// `medtune train`: fine-tune a Llama-family checkpoint (HF folder or GGUF) on prepared QA splits, read top to
// bottom: resolve inputs, check everything that can be wrong before the first step (empty split, template, LoRA
// targets, sequence lengths, export tokenizer), tokenize, set up LoRA or full fine-tuning, AdamW, EWC and replay,
// write the run folder (config.json, data.json), train with validation, early stopping and checkpoints, then
// export the best weights (PEFT, GGUF LoRA, merged HF folder, GGUF) and the Fisher for the next run.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import {
  Rng, fail, log, medtuneVersion, runFolderName, sha256, sha256File, validateConfig, writeJsonAtomic,
} from "../core/index.ts";
import { DEFAULT_TEMPLATE, PromptTemplateSchema, TEMPLATES, type PromptTemplate } from "../data/index.ts";
import { detectModel, ggufTokenizerFromHf, hfWeightFiles, loadModel, loadPeftAdapter, type ModelConfig } from "../formats/index.ts";
import { LORA_TARGETS, LlamaModel } from "../nn/index.ts";
import { loadTokenizer, type Tokenizer } from "../tokenizer/index.ts";
import {
  AdamW, Checkpoints, EarlyStopper, ExampleEncoder, MetricsLog, ReplayMixer, chatFormat, decayMask, estimateFisher, exportModel,
  loadFisher, readQaSplit, readReferenceSet, saveFisher, templateFormat, train, trainableOf,
  type ExportFormat, type McqProbe, type PromptFormat, type ReferenceSet, type TrainExample, type TrainResult, type Trainable,
} from "../train/index.ts";
import { FinetuneConfigSchema, type FinetuneConfig } from "./finetune-config.ts";

/** Options that are not part of the saved config. */
export interface FinetuneOptions {
  /** print nothing but warnings */
  quiet?: boolean;
  /** base for relative paths in the config (default: cwd) */
  baseDir?: string;
}

/** What a fine-tuning run produced. */
export interface FinetuneResult extends TrainResult {
  runDir: string;
  /** export format -> path */
  exports: Partial<Record<ExportFormat | "fisher", string>>;
  totalSteps: number;
}

/** Inputs resolved to absolute paths. */
interface Inputs {
  model: string;
  train: string;
  validation: string | null;
  template: PromptTemplate;
  templateFrom: string;
}

function resolveTemplate(t: FinetuneConfig["data"]["template"], dir: string | null, abs: (p: string) => string): { template: PromptTemplate; from: string } {
  const parse = (path: string): PromptTemplate => {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, "utf8"));
    } catch (e) {
      fail("train.bad-template", `cannot read the prompt template: ${(e as Error).message}`, path, "give a built-in template name or a template JSON file");
    }
    const r = PromptTemplateSchema.safeParse(json);
    if (!r.success) fail("train.bad-template", `invalid prompt template at ${r.error.issues[0].path.join(".")}: ${r.error.issues[0].message}`, path, "fix the template file");
    return r.data;
  };
  if (t !== undefined && typeof t !== "string") return { template: t, from: "config" };
  if (typeof t === "string") {
    if (TEMPLATES[t]) return { template: TEMPLATES[t], from: t };
    const p = abs(t);
    if (!existsSync(p)) fail("train.bad-template", `unknown prompt template "${t}"`, "data.template", `use one of ${Object.keys(TEMPLATES).join(", ")} or a template JSON file`);
    return { template: parse(p), from: p };
  }
  if (dir !== null && existsSync(join(dir, "prompt-template.json"))) return { template: parse(join(dir, "prompt-template.json")), from: join(dir, "prompt-template.json") };
  return { template: DEFAULT_TEMPLATE, from: DEFAULT_TEMPLATE.name };
}

function resolveInputs(c: FinetuneConfig, abs: (p: string) => string): Inputs {
  const dir = c.data.dir !== undefined ? abs(c.data.dir) : null;
  if (dir !== null && !(existsSync(dir) && statSync(dir).isDirectory())) fail("train.missing-data", `data.dir is not a folder: ${dir}`, "data.dir", "give the folder `medtune data prepare` wrote");
  const trainPath = c.data.train !== undefined ? abs(c.data.train) : dir !== null ? join(dir, "train.jsonl") : null;
  if (trainPath === null) fail("train.no-data", "no training data: set data.dir (a prepare run folder) or data.train", "data", "e.g. --data runs/<stamp>-prepare-demo");
  let validation: string | null = null;
  if (typeof c.data.validation === "string") validation = abs(c.data.validation);
  else if (c.data.validation === undefined && dir !== null && existsSync(join(dir, "validation.jsonl"))) validation = join(dir, "validation.jsonl");
  const { template, from } = resolveTemplate(c.data.template, dir, abs);
  return { model: detectModel(abs(c.model)).path, train: trainPath, validation, template, templateFrom: from };
}

/** Checks LoRA targets and layers against the model before anything is allocated: a target must match a module. */
function checkLoraTargets(c: FinetuneConfig, mc: ModelConfig): void {
  if (c.lora.targets.length === 0) fail("train.lora-target", "lora.targets is empty: the adapter would wrap no module", "lora.targets", `name some of ${LORA_TARGETS.join(", ")}`);
  for (const raw of c.lora.targets) {
    const t = raw.trim().replace(/^(self_attn|mlp)\./, "");
    if (t === "all-linear" || t === "all") continue;
    const name = t.endsWith("_proj") ? t : `${t}_proj`;
    if (!(LORA_TARGETS as readonly string[]).includes(name)) {
      fail("train.lora-target", `LoRA target "${raw}" matches no module of this ${mc.arch} model`, "lora.targets", `its linear modules are ${LORA_TARGETS.join(", ")} (or "all-linear")`);
    }
  }
  if (c.lora.layers !== undefined) {
    if (c.lora.layers.length === 0) fail("train.lora-target", "lora.layers is empty: the adapter would wrap no module", "lora.layers", "omit it to wrap every layer");
    const bad = c.lora.layers.find((l) => l >= mc.nLayers);
    if (bad !== undefined) fail("train.lora-target", `lora.layers names layer ${bad}, but the model has ${mc.nLayers} (0..${mc.nLayers - 1})`, "lora.layers");
  }
}

/** A seeded sample of at most n indices of 0..size−1, in order. */
function sample(size: number, n: number, seed: string): number[] {
  const idx = Array.from({ length: size }, (_, i) => i);
  if (size <= n) return idx;
  return new Rng(seed).shuffle(idx).slice(0, n).sort((a, b) => a - b);
}

function encodeSet(enc: ExampleEncoder, set: ReferenceSet, withExplanation: boolean): TrainExample[] {
  return set.kind === "qa" ? set.items.map((x) => enc.item(x.item, x.where, withExplanation)) : set.texts.map((x) => enc.text(x.text, x.where));
}

/** The model files behind a path (for data.json hashes). */
function modelFiles(format: "hf" | "gguf", path: string): string[] {
  if (format === "gguf") return [path];
  const files = new Set<string>([join(path, "config.json"), ...hfWeightFiles(path).values()]);
  for (const f of ["tokenizer.json", "tokenizer_config.json"]) if (existsSync(join(path, f))) files.add(join(path, f));
  return [...files];
}

/** JSON with object keys sorted at every level (a fingerprint that ignores key order). */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/** Runs a fine-tuning job with a validated config (a fresh run folder). */
export async function finetune(config: FinetuneConfig, opts: FinetuneOptions = {}): Promise<FinetuneResult> {
  return runFinetune(config, null, opts);
}

/** Validates a raw config (file + flags merged) and runs it. */
export async function finetuneFromRaw(raw: unknown, where: string, opts: FinetuneOptions = {}): Promise<FinetuneResult> {
  return finetune(validateConfig(FinetuneConfigSchema, raw, where), opts);
}

/** Continues a run from its newest checkpoint, with the config saved in its folder. */
export async function resumeFinetune(runDir: string, opts: FinetuneOptions = {}): Promise<FinetuneResult> {
  const dir = resolve(opts.baseDir ?? process.cwd(), runDir);
  const cfgPath = join(dir, "config.json");
  if (!existsSync(cfgPath)) fail("train.no-run", `not a finetune run folder (no config.json): ${dir}`, "--resume", "give the run folder a `medtune train` run wrote");
  const saved = JSON.parse(readFileSync(cfgPath, "utf8")) as { config?: unknown; baseDir?: string };
  if (saved.config === undefined) fail("train.no-run", "config.json of this folder is not a finetune run's", cfgPath);
  const config = validateConfig(FinetuneConfigSchema, saved.config, cfgPath);
  return runFinetune(config, dir, { ...opts, baseDir: saved.baseDir ?? opts.baseDir });
}

async function runFinetune(config: FinetuneConfig, resumeDir: string | null, opts: FinetuneOptions): Promise<FinetuneResult> {
  const baseDir = opts.baseDir ?? process.cwd();
  const abs = (p: string): string => resolve(baseDir, p);
  const say = (m: string): void => { if (!opts.quiet) log.info(m); };
  const c = config;

  // 1. inputs, tokenizer and prompt format
  const inputs = resolveInputs(c, abs);
  const source = detectModel(inputs.model);
  const tokenizer: Tokenizer = await loadTokenizer(source.path);
  const usesChat = c.prompt.format === "chat" || (c.prompt.format === "auto" && tokenizer.chatTemplate !== undefined);
  const format: PromptFormat = usesChat ? chatFormat(tokenizer, inputs.template) : templateFormat(inputs.template);
  const trainItems = await readQaSplit(inputs.train, "training split");
  if (trainItems.length === 0) fail("train.empty-split", `the training split is empty: ${inputs.train}`, "data.train", "prepare data with a non-empty train split");
  const valItems = inputs.validation !== null ? await readQaSplit(inputs.validation, "validation split") : [];
  if (inputs.validation !== null && valItems.length === 0) {
    fail("train.empty-split", `the validation split is empty: ${inputs.validation}`, "data.validation", "prepare with a validation fraction > 0, or set data.validation: false");
  }
  const loadSet = async (p: string, what: string): Promise<ReferenceSet> => {
    const s = await readReferenceSet(abs(p), what);
    if ((s.kind === "qa" ? s.items.length : s.texts.length) === 0) fail("train.empty-split", `the ${what} is empty: ${abs(p)}`, what, "give a non-empty file");
    return s;
  };
  const general = c.eval.general !== undefined ? await loadSet(c.eval.general, "general set (eval.general)") : null;
  const replaySets = await Promise.all((c.replay.data ?? []).map((p) => loadSet(p, "replay set (replay.data)")));
  if (c.replay.fraction > 0 && replaySets.length === 0) fail("replay.no-data", "replay.fraction is set but replay.data names no file", "replay.data", "give general or earlier-task data to replay");
  const refSets = await Promise.all((c.ewc.reference ?? []).map((p) => loadSet(p, "EWC reference set (ewc.reference)")));
  if (c.ewc.lambda > 0 && refSets.length === 0 && c.ewc.fisherFrom === undefined) {
    fail("ewc.no-fisher", "ewc.lambda is set but there is nothing to estimate the Fisher from", "ewc", "give ewc.reference (general or previous-task data) or ewc.fisherFrom (a previous run's fisher.safetensors)");
  }

  // 2. the model, and everything about it that can be wrong
  const loaded = await loadModel(source.path);
  const mc = loaded.config;
  const maxSeqLen = c.batch.maxSeqLen ?? Math.min(mc.maxPositionEmbeddings, 2048);
  if (maxSeqLen > mc.maxPositionEmbeddings) {
    fail("train.too-long", `batch.maxSeqLen ${maxSeqLen} is longer than the model allows (max_position_embeddings ${mc.maxPositionEmbeddings})`, "batch.maxSeqLen", `use at most ${mc.maxPositionEmbeddings}`);
  }
  if (tokenizer.vocabSize > mc.vocabSize) fail("train.tokenizer-mismatch", `the tokenizer has ${tokenizer.vocabSize} tokens, the model's vocabulary ${mc.vocabSize}`, source.path, "use the tokenizer the model was trained with");
  if (c.method === "lora") checkLoraTargets(c, mc);
  const formats: ExportFormat[] = c.export.formats ?? (c.method === "lora" ? ["peft", "gguf-lora", "hf", "gguf"] : ["hf", "gguf"]);
  if (c.method === "full" && formats.some((f) => f === "peft" || f === "gguf-lora")) {
    fail("export.no-adapter", `export formats ${formats.filter((f) => f === "peft" || f === "gguf-lora").join(", ")} need method "lora"`, "export.formats", 'full fine-tuning exports "hf", "gguf" and "base-gguf"');
  }
  if (source.format === "hf" && formats.some((f) => f === "gguf" || f === "base-gguf")) {
    try {
      ggufTokenizerFromHf(source.path, { vocabSize: mc.vocabSize });
    } catch (e) {
      fail("export.gguf-tokenizer", `the GGUF export could not carry this tokenizer: ${(e as Error).message}`, source.path, 'drop "gguf" from export.formats, or fix the tokenizer');
    }
  }

  // 3. tokenize everything (too-long sequences fail here, before the run starts)
  const encoder = new ExampleEncoder(tokenizer, format, { maxSeqLen, truncate: c.batch.truncate, appendEos: c.prompt.appendEos });
  const trainEx = trainItems.map((x) => encoder.item(x.item, x.where, c.prompt.withExplanation));
  const valSlice = c.eval.maxItems !== undefined ? valItems.slice(0, c.eval.maxItems) : valItems;
  const valEx = valSlice.map((x) => encoder.item(x.item, x.where, c.prompt.withExplanation));
  const probes: McqProbe[] = c.eval.mcq ? valSlice.map((x) => encoder.mcq(x.item, x.where)).filter((p): p is McqProbe => p !== null) : [];
  const generalEx = general ? encodeSet(encoder, general, false) : undefined;
  const replayEx = replaySets.flatMap((s) => encodeSet(encoder, s, c.prompt.withExplanation));
  const refAll = refSets.flatMap((s) => encodeSet(encoder, s, c.prompt.withExplanation));
  const refEx = sample(refAll.length, c.ewc.samples, `medtune-ewc-reference:${c.seed}`).map((i) => refAll[i]);
  const padId = tokenizer.padId ?? tokenizer.eosId ?? 0;

  // 4. the model and what it trains
  const model = LlamaModel.fromTensors(mc, loaded.tensors, { dtype: c.dtype });
  loaded.tensors.clear();
  if (c.method === "lora") {
    if (c.lora.init !== undefined) {
      const adapter = loadPeftAdapter(abs(c.lora.init), mc);
      model.loadLora(adapter, { dropout: c.lora.dropout, seed: c.seed }, abs(c.lora.init));
      say(`LoRA starts from ${abs(c.lora.init)} (rank ${adapter.config.r}, alpha ${adapter.config.alpha})`);
    } else {
      model.attachLora({ rank: c.lora.rank, alpha: c.lora.alpha, dropout: c.lora.dropout, targets: c.lora.targets, layers: c.lora.layers, seed: c.seed, rsLora: c.lora.rsLora });
    }
  }
  const t: Trainable = trainableOf(model);
  const lr = c.optim.lr ?? (c.method === "lora" ? 2e-4 : 2e-5);
  const batchesPerEpoch = Math.ceil(trainEx.length / c.batch.size);
  const totalSteps = c.steps.max ?? Math.max(1, Math.ceil((c.steps.epochs * batchesPerEpoch) / c.batch.gradAccum));
  const warmupSteps = c.schedule.warmupSteps ?? Math.round(c.schedule.warmupRatio * totalSteps);
  const optimizer = new AdamW(t.params.data.length, {
    beta1: c.optim.beta1, beta2: c.optim.beta2, eps: c.optim.eps, weightDecay: c.optim.weightDecay, decayMask: decayMask(t, c.optim.decayNormsAndBiases),
  }, c.dtype);

  // 5. the run folder: resolved config, input hashes, prompt template
  const resolved = { ...c, optim: { ...c.optim, lr }, batch: { ...c.batch, maxSeqLen }, schedule: { ...c.schedule, warmupSteps }, steps: { ...c.steps, max: c.steps.max }, export: { ...c.export, formats } };
  const hashed = async (role: string, p: string, records?: number): Promise<Record<string, unknown>> => ({ role, path: p, sha256: await sha256File(p), bytes: statSync(p).size, ...(records !== undefined ? { records } : {}) });
  const dataInputs = [
    await hashed("train", inputs.train, trainItems.length),
    ...(inputs.validation !== null ? [await hashed("validation", inputs.validation, valItems.length)] : []),
    ...(c.eval.general !== undefined ? [await hashed("general", abs(c.eval.general), generalEx?.length)] : []),
    ...(await Promise.all((c.replay.data ?? []).map((p) => hashed("replay", abs(p))))),
    ...(await Promise.all((c.ewc.reference ?? []).map((p) => hashed("ewc-reference", abs(p))))),
    ...(c.ewc.fisherFrom !== undefined ? [await hashed("ewc-fisher", abs(c.ewc.fisherFrom))] : []),
    ...(c.lora.init !== undefined && c.method === "lora" ? await Promise.all(readdirSync(abs(c.lora.init)).map((f) => hashed("lora-init", join(abs(c.lora.init!), f)))) : []),
  ];
  const modelInputs = await Promise.all(modelFiles(source.format, source.path).map((p) => hashed("model", p)));
  const fingerprint = sha256(canonicalJson({ config: { ...resolved, out: undefined, runsDir: undefined, name: undefined }, data: dataInputs.map((d) => d.sha256), model: modelInputs.map((d) => d.sha256), template: inputs.template }));
  const runDir = resumeDir ?? abs(c.out ?? join(c.runsDir, runFolderName("finetune", c.name)));
  if (resumeDir === null) {
    if (existsSync(join(runDir, "checkpoints"))) fail("train.run-exists", `the run folder already holds a run: ${runDir}`, "out", "resume it with --resume, or choose another out");
    writeJsonAtomic(join(runDir, "config.json"), { medtuneVersion: medtuneVersion(), baseDir, config: resolved, totalSteps, model: { format: source.format, path: source.path, config: mc }, promptFormat: format.kind, templateFrom: inputs.templateFrom });
    writeJsonAtomic(join(runDir, "prompt-template.json"), inputs.template);
    writeJsonAtomic(join(runDir, "data.json"), {
      inputs: [...dataInputs, ...modelInputs],
      counts: { train: trainEx.length, validation: valEx.length, mcq: probes.length, general: generalEx?.length ?? 0, replay: replayEx.length, ewcReference: refEx.length },
      tokens: { train: trainEx.reduce((a, e) => a + e.ids.length, 0), trainScored: trainEx.reduce((a, e) => a + e.nScored, 0), longest: Math.max(...trainEx.map((e) => e.ids.length)) },
      fingerprint,
    });
  }
  const checkpoints = new Checkpoints(join(runDir, "checkpoints"), c.checkpoint.keep);
  const metrics = new MetricsLog(join(runDir, "metrics.jsonl"));
  const resume = resumeDir !== null && checkpoints.latest() !== null;
  if (resumeDir !== null && !resume) {
    say("no checkpoint was written before the run stopped: starting it over");
    metrics.truncateAfter(-1);
  }
  say(`${resume ? "resuming" : "training"} ${c.method === "lora" ? `a LoRA adapter (${t.params.count()} parameters)` : `all ${t.params.count()} weights`} of ${basename(source.path)} on ${trainEx.length} examples for ${totalSteps} steps (${format.kind} prompts); run folder ${runDir}`);

  // 6. EWC: Fisher of the starting weights (previous runs' merged in), anchored at them; kept with the checkpoints
  const wantFisherOut = c.ewc.saveFisher ?? c.ewc.lambda > 0;
  let ewcFisher: Float32Array | Float64Array | null = null;
  let ewcAnchor: Float32Array | Float64Array | null = null;
  let fisherRuns = 0;
  const anchorPath = join(checkpoints.root, "ewc-anchor.safetensors");
  if (c.ewc.lambda > 0 || wantFisherOut) {
    if (resume && existsSync(anchorPath)) {
      const a = loadFisher(anchorPath, t);
      ewcFisher = a.fisher;
      ewcAnchor = a.anchor;
      fisherRuns = a.info.runs;
    } else {
      ewcAnchor = t.params.data.slice();
      ewcFisher = t.params.like().data;
      if (c.ewc.fisherFrom !== undefined) {
        const prev = loadFisher(abs(c.ewc.fisherFrom), t);
        let drift = 0;
        for (let i = 0; i < ewcAnchor.length; i++) drift = Math.max(drift, Math.abs(prev.anchor[i] - ewcAnchor[i]));
        if (drift > 1e-5) log.warn(`warning: the Fisher in ${c.ewc.fisherFrom} was anchored at other weights (max |Δ| ${drift.toExponential(2)}): start from the model that run exported`);
        for (let i = 0; i < ewcFisher.length; i++) ewcFisher[i] += c.ewc.decay * prev.fisher[i];
        fisherRuns = prev.info.runs;
      }
      if (refEx.length > 0) {
        say(`estimating the EWC Fisher on ${refEx.length} reference examples`);
        const F = estimateFisher(model, t, refEx);
        for (let i = 0; i < ewcFisher.length; i++) ewcFisher[i] += F[i];
      }
      saveFisher(anchorPath, t, ewcFisher, ewcAnchor, { kind: t.kind, examples: refEx.length, runs: fisherRuns });
    }
  }

  // 7. train
  const result = train({
    model, trainable: t, optimizer, train: trainEx, padId, batchSize: c.batch.size, gradAccum: c.batch.gradAccum, bucket: c.batch.bucket, seed: c.seed,
    totalSteps, schedule: { type: c.schedule.type, lr, totalSteps, warmupSteps, minLrRatio: c.schedule.minLrRatio }, clipGradNorm: c.clipGradNorm,
    ewc: c.ewc.lambda > 0 && ewcFisher && ewcAnchor ? { fisher: ewcFisher, anchor: ewcAnchor, lambda: c.ewc.lambda } : null,
    replay: c.replay.fraction > 0 ? new ReplayMixer(replayEx, c.replay.fraction, c.seed) : null,
    validation: valEx.length > 0 ? { validation: valEx, mcq: probes, general: generalEx, batchSize: c.eval.batchSize, padId, scoring: c.eval.scoring } : null,
    evalEvery: c.eval.every,
    earlyStop: { stopper: new EarlyStopper({ patience: c.earlyStop.patience, minDelta: c.earlyStop.minDelta }), weights: c.earlyStop.weights, restoreBest: c.earlyStop.restoreBest },
    checkpoints, checkpointEvery: c.checkpoint.every, metrics, fingerprint, resume, quiet: opts.quiet,
  });
  if (result.best) say(`best evaluation at step ${result.best.step}: ${JSON.stringify(result.best.metrics)}${result.stoppedEarly ? ` (stopped early at step ${result.steps})` : ""}`);

  // 8. the Fisher for the next run (this task's, at the final weights, merged with what this run was anchored to)
  const exportDir = join(runDir, "export");
  const exports: FinetuneResult["exports"] = {};
  if (wantFisherOut && ewcFisher) {
    const taskEx = sample(trainEx.length, c.ewc.samples, `medtune-ewc-task:${c.seed}`).map((i) => trainEx[i]);
    say(`estimating the Fisher of this task on ${taskEx.length} training examples for the next run`);
    const F = estimateFisher(model, t, taskEx);
    const merged = t.params.like().data;
    for (let i = 0; i < merged.length; i++) merged[i] = c.ewc.decay * ewcFisher[i] + F[i];
    const p = join(exportDir, "fisher.safetensors");
    saveFisher(p, t, merged, t.params.data, { kind: t.kind, examples: taskEx.length, runs: fisherRuns + 1 });
    exports.fisher = p;
  }

  // 9. exports of the best (or last) weights
  Object.assign(exports, await exportModel(model, { dir: exportDir, formats, ggufPreset: c.export.ggufPreset, hfDtype: c.export.hfDtype, source, name: c.name }));
  writeJsonAtomic(join(exportDir, "prompt-template.json"), inputs.template);
  const summary = { ...result, totalSteps, exports, promptFormat: format.kind };
  writeJsonAtomic(join(runDir, "summary.json"), summary);
  say(`exports: ${Object.entries(exports).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  return { ...result, runDir, exports, totalSteps };
}

