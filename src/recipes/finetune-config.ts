// The `medtune train` configuration: model, data, prompt format, method (LoRA or full), optimizer, schedule,
// batching, validation and early stopping, EWC, replay, checkpoints and exports, each knob with its default.
// Validated strictly (unknown keys are rejected with their path); the resolved config is saved in the run folder.
import { z } from "zod";
import { PromptTemplateSchema } from "../data/index.ts";
import { EXPORT_FORMATS, SCHEDULES } from "../train/index.ts";

const GGUF_PRESETS = ["F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q4_K_S", "Q4_K_M", "Q5_K", "Q5_K_S", "Q5_K_M", "Q6_K"] as const;
const paths = z.union([z.string().min(1), z.array(z.string().min(1))]).transform((v) => (Array.isArray(v) ? v : [v]));

/** The full fine-tuning config with defaults. */
export const FinetuneConfigSchema = z
  .object({
    name: z.string().min(1).default("finetune"), // run name, part of the run folder name
    seed: z.number().int().default(1234), // seeds LoRA init, dropout, shuffles and replay draws
    out: z.string().optional(), // run folder; default runs/<stamp>-finetune-<name>
    runsDir: z.string().default("runs"), // where run folders go
    model: z.string().min(1), // Hugging Face model folder or .gguf file
    dtype: z.enum(["float32", "float64"]).default("float32"), // float64 only for numerical checks (slow; checkpoints store float32)
    data: z
      .object({
        dir: z.string().optional(), // a `data prepare` run folder: train.jsonl, validation.jsonl, prompt-template.json
        train: z.string().optional(), // training split (QAItem JSONL); default <dir>/train.jsonl
        validation: z.union([z.string(), z.literal(false)]).optional(), // validation split; default <dir>/validation.jsonl when present; false = none
        template: z.union([z.string(), PromptTemplateSchema]).optional(), // prompt template: built-in name, JSON file or inline; default <dir>/prompt-template.json, else medtune-default-v1
      })
      .strict()
      .prefault({}),
    prompt: z
      .object({
        format: z.enum(["auto", "chat", "template"]).default("auto"), // chat = the model's chat template; template = the prompt template (base models); auto = chat if the tokenizer has one
        withExplanation: z.boolean().default(true), // train on "answer + explanation" when items have one
        appendEos: z.boolean().default(true), // end template-format answers with EOS so the model learns to stop
      })
      .strict()
      .prefault({}),
    method: z.enum(["lora", "full"]).default("lora"), // train a LoRA adapter, or every weight
    lora: z
      .object({
        rank: z.number().int().positive().default(8), // R
        alpha: z.number().positive().default(16), // scale = alpha/R
        dropout: z.number().min(0).lt(1).default(0.05), // on the adapter's input (Llama itself has no attention/residual dropout)
        targets: z.array(z.string()).default(["q", "k", "v", "o", "gate", "up", "down"]), // projections to wrap (q..down, *_proj, or all-linear)
        layers: z.array(z.number().int().min(0)).optional(), // layer indices to wrap; default all
        rsLora: z.boolean().default(false), // scale alpha/sqrt(R) instead of alpha/R
        init: z.string().optional(), // start from this PEFT adapter folder (continual learning) instead of B = 0
      })
      .strict()
      .prefault({}),
    optim: z
      .object({
        lr: z.number().positive().optional(), // peak learning rate; default 2e-4 for LoRA, 2e-5 for full
        beta1: z.number().min(0).lt(1).default(0.9), // AdamW β1
        beta2: z.number().min(0).lt(1).default(0.999), // AdamW β2
        eps: z.number().positive().default(1e-8), // AdamW ε (outside the square root)
        weightDecay: z.number().min(0).default(0), // decoupled weight decay
        decayNormsAndBiases: z.boolean().default(false), // also decay norm weights and biases (HF Trainer does not)
      })
      .strict()
      .prefault({}),
    schedule: z
      .object({
        type: z.enum(SCHEDULES).default("cosine"), // constant, linear or cosine after warmup
        warmupSteps: z.number().int().min(0).optional(), // linear warmup steps; default warmupRatio of the run
        warmupRatio: z.number().min(0).max(1).default(0.03), // warmup as a fraction of the total steps
        minLrRatio: z.number().min(0).max(1).default(0), // final lr as a fraction of the peak
      })
      .strict()
      .prefault({}),
    batch: z
      .object({
        size: z.number().int().positive().default(4), // examples per micro-batch (replay examples come on top)
        gradAccum: z.number().int().positive().default(4), // micro-batches per optimizer step
        bucket: z.boolean().default(true), // group similar lengths to cut padding (packing is not available: attention takes a padding mask only)
        maxSeqLen: z.number().int().min(2).optional(), // longest sequence; default min(max_position_embeddings, 2048)
        truncate: z.boolean().default(false), // cut the prompt's oldest tokens instead of failing on a longer sequence
      })
      .strict()
      .prefault({}),
    steps: z
      .object({
        epochs: z.number().positive().default(3), // passes over the training split
        max: z.number().int().positive().optional(), // stop after this many optimizer steps (overrides epochs)
      })
      .strict()
      .prefault({}),
    clipGradNorm: z.number().min(0).default(1), // global L2 gradient norm limit; 0 = off
    eval: z
      .object({
        every: z.number().int().min(0).default(50), // validate every N steps (and before step 1 and at the end); 0 = start and end only
        mcq: z.boolean().default(true), // MCQ accuracy by log-likelihood scoring of each option
        scoring: z.enum(["sum", "mean"]).default("sum"), // option score: summed log-prob (lm-eval acc) or per token
        general: z.string().optional(), // general text (JSONL {"text"}, QAItem JSONL or .txt) whose loss measures retention
        maxItems: z.number().int().positive().optional(), // validate on the first N items only
        batchSize: z.number().int().positive().default(8), // sequences per validation forward
      })
      .strict()
      .prefault({}),
    earlyStop: z
      .object({
        patience: z.number().int().positive().nullable().default(3), // evaluations without improvement before stopping; null = never
        minDelta: z.number().min(0).default(0), // improvement smaller than this does not count
        restoreBest: z.boolean().default(true), // export the best evaluation's weights, not the last
        weights: z
          .object({
            loss: z.number().min(0).default(1), // weight of the validation loss
            accuracy: z.number().min(0).default(1), // weight of (1 − MCQ accuracy)
            retention: z.number().min(0).default(1), // weight of the general-set loss increase since step 0
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    ewc: z
      .object({
        lambda: z.number().min(0).default(0), // EWC strength; 0 = off
        reference: paths.optional(), // general or previous-task data to estimate the Fisher on, with the starting weights
        fisherFrom: z.string().optional(), // a previous run's export/fisher.safetensors to continue from
        decay: z.number().min(0).max(1).default(1), // multiplies the previous Fisher when merging (online EWC γ)
        samples: z.number().int().positive().default(256), // reference examples the Fisher averages over (seeded sample)
        saveFisher: z.boolean().optional(), // export fisher.safetensors for the next run; default when lambda > 0
      })
      .strict()
      .prefault({}),
    replay: z
      .object({
        data: paths.optional(), // general or earlier-task examples to mix in
        fraction: z.number().min(0).lt(1).default(0), // share of all trained examples that are replayed
      })
      .strict()
      .prefault({}),
    checkpoint: z
      .object({
        every: z.number().int().min(0).default(100), // checkpoint every N steps (and at the end); 0 = end only
        keep: z.number().int().positive().default(2), // step checkpoints kept (best/ is kept apart)
      })
      .strict()
      .prefault({}),
    export: z
      .object({
        formats: z.array(z.enum(EXPORT_FORMATS)).optional(), // default: peft, gguf-lora, hf, gguf for LoRA; hf, gguf for full
        ggufPreset: z.enum(GGUF_PRESETS).default("F16"), // GGUF quantization (F32 for exact parity)
        hfDtype: z.enum(["F32", "F16", "BF16"]).default("F32"), // dtype of the merged safetensors
      })
      .strict()
      .prefault({}),
  })
  .strict();
/** A validated fine-tuning config (defaults filled in). */
export type FinetuneConfig = z.infer<typeof FinetuneConfigSchema>;
