// The diagonal Fisher information for EWC, estimated as the empirical Fisher with labels: for each reference
// example n (a QA item scored on its answer tokens, or a text scored on every token) the gradient g_n of its
// log-likelihood log p(y_n | x_n) = Σ_t log p(y_t | y_<t, x_n) is taken alone (batch of one, no dropout), and
// F = (1/N)·Σ_n g_n ⊙ g_n. Saved as safetensors (`fisher.<name>`, `anchor.<name>`) so a later run, e.g. on the
// next dataset version, continues from it; merged across runs as online EWC does (Schwarz et al. 2018):
// F ← decay·F_previous + F_new, anchored at the newest weights.
import { existsSync } from "node:fs";
import { fail } from "../core/index.ts";
import { readSafetensorsHeader, readSafetensors, writeSafetensors } from "../formats/index.ts";
import type { LlamaModel } from "../nn/index.ts";
import type { FloatArray } from "../tensor/index.ts";
import type { TrainExample } from "./encode.ts";
import { loadTrainableTensors, trainableTensors, type Trainable } from "./trainable.ts";

/** What the Fisher file says about itself. */
export interface FisherInfo {
  /** "lora" or "full": which parameters it covers */
  kind: string;
  /** examples the newest estimate averaged over */
  examples: number;
  /** runs merged into it so far */
  runs: number;
}

/** F = mean over examples of the squared gradient of each example's summed log-likelihood (float64 accumulation). */
export function estimateFisher(model: LlamaModel, t: Trainable, examples: readonly TrainExample[]): Float64Array {
  if (examples.length === 0) fail("ewc.empty", "the EWC reference set is empty", "ewc.reference", "give a non-empty reference file");
  const F = new Float64Array(t.params.data.length);
  const g = t.grads.data;
  const wasTraining = model.training;
  model.training = false;
  try {
    for (const e of examples) {
      model.zeroGrad();
      const T = e.ids.length;
      // lossNormalizer 1: the gradient of the summed negative log-likelihood, −g_n (the sign vanishes when squared)
      model.forwardBackward({ data: e.ids, B: 1, T }, { labels: { data: e.labels, B: 1, T }, lossNormalizer: 1 });
      for (let i = 0; i < F.length; i++) F[i] += g[i] * g[i];
    }
  } finally {
    model.training = wasTraining;
    model.zeroGrad();
  }
  for (let i = 0; i < F.length; i++) F[i] /= examples.length;
  return F;
}

/** Writes the Fisher and its anchor weights as one safetensors file. */
export function saveFisher(path: string, t: Trainable, fisher: FloatArray, anchor: FloatArray, info: FisherInfo): void {
  writeSafetensors(path, [...trainableTensors(t, fisher, "fisher."), ...trainableTensors(t, anchor, "anchor.")], {
    metadata: { format: "medtune-ewc-fisher", kind: info.kind, examples: String(info.examples), runs: String(info.runs), estimator: "empirical Fisher with labels, per-example summed log-likelihood" },
  });
}

/** Reads a Fisher file written by saveFisher for the same trained parameters (names and shapes must match). */
export function loadFisher(path: string, t: Trainable): { fisher: FloatArray; anchor: FloatArray; info: FisherInfo } {
  if (!existsSync(path)) fail("ewc.missing-fisher", `Fisher file not found: ${path}`, "ewc.fisherFrom", "give the fisher.safetensors a previous run exported");
  const meta = readSafetensorsHeader(path).metadata ?? {};
  if (meta.format !== "medtune-ewc-fisher") fail("ewc.bad-fisher", "not a medtune Fisher file (metadata format)", path, "give the fisher.safetensors a previous run exported");
  if (meta.kind !== t.kind) {
    fail("ewc.fisher-kind", `the Fisher covers ${meta.kind} parameters but this run trains ${t.kind === "lora" ? "a LoRA adapter" : "all weights"}`, path,
      "use the same method (and, for LoRA, the same rank and targets) as the run that wrote it");
  }
  const tensors = readSafetensors(path);
  const fisher = t.params.like().data;
  const anchor = t.params.like().data;
  const bad = [...loadTrainableTensors(t, tensors, fisher, "fisher."), ...loadTrainableTensors(t, tensors, anchor, "anchor.")];
  if (bad.length > 0) {
    fail("ewc.fisher-mismatch", `the Fisher file lacks or misshapes ${bad.length} tensor(s) of this run, e.g. ${bad[0]}`, path,
      "it was written for another model or LoRA setup (rank, targets)");
  }
  return { fisher, anchor, info: { kind: meta.kind, examples: Number(meta.examples ?? 0), runs: Number(meta.runs ?? 1) } };
}
