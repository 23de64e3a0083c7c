// What a run trains, as one flat parameter buffer and its gradient buffer: the LoRA adapter's A/B (PEFT names) or
// every model weight (HF names). The optimizer, clipping, EWC and checkpoints all work on these two vectors; the
// weight-decay mask exempts norms and biases in full fine-tuning, as HF Trainer does.
import { Rng } from "../core/index.ts";
import type { NamedTensor } from "../formats/index.ts";
import type { FlatParams, LlamaModel } from "../nn/index.ts";
import type { FloatArray } from "../tensor/index.ts";

/** The trained parameters of a model and their gradients (views owned by the model). */
export interface Trainable {
  kind: "lora" | "full";
  params: FlatParams;
  grads: FlatParams;
}

/** The trained parameters of `model`: its adapter when one is attached, else all its weights. */
export function trainableOf(model: LlamaModel): Trainable {
  if (model.lora !== null) return { kind: "lora", params: model.lora.params, grads: model.lora.grads };
  return { kind: "full", params: model.params, grads: model.grads };
}

/** Per-element weight-decay mask (1 = decayed): padding never, norms and biases only if `decayNormsAndBiases`. */
export function decayMask(t: Trainable, decayNormsAndBiases: boolean): Uint8Array {
  const mask = new Uint8Array(t.params.data.length);
  for (const e of t.params.entries()) {
    const exempt = !decayNormsAndBiases && (e.name.endsWith("norm.weight") || e.name.endsWith(".bias"));
    if (!exempt) mask.fill(1, e.offset, e.offset + e.size);
  }
  return mask;
}

/** The trained tensors as float32 copies under their names (for checkpoints and Fisher files). */
export function trainableTensors(t: Trainable, buf: FloatArray = t.params.data, prefix = ""): [string, NamedTensor][] {
  return t.params.entries().map((e) => [prefix + e.name, { shape: [...e.shape], data: Float32Array.from(buf.subarray(e.offset, e.offset + e.size)) }]);
}

/** Copies tensors named like the trained ones (after `prefix`) into `buf`; returns the names that are missing or misshapen. */
export function loadTrainableTensors(t: Trainable, tensors: ReadonlyMap<string, { shape: number[]; data: Float32Array }>, buf: FloatArray = t.params.data, prefix = ""): string[] {
  const bad: string[] = [];
  for (const e of t.params.entries()) {
    const x = tensors.get(prefix + e.name);
    if (!x || x.data.length !== e.size || x.shape.length !== e.shape.length || x.shape.some((d, i) => d !== e.shape[i])) {
      bad.push(prefix + e.name);
      continue;
    }
    buf.set(x.data, e.offset);
  }
  return bad;
}

/** The generator behind the adapter's dropout masks (shared by every LoRA module), for checkpoints; null without dropout. */
export function loraDropoutRng(model: LlamaModel): Rng | null {
  if (model.lora === null || model.lora.dropout === 0) return null;
  return model.lora.dropoutRng();
}
