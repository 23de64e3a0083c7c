// `medtune train`: flag wiring only (config file, then flags on top); the work is in recipes/finetune.ts.
import { MedtuneError, deepMerge, readConfigFile, setPath } from "../core/index.ts";
import { finetuneFromRaw, resumeFinetune } from "../recipes/index.ts";
import { numberFlag, parseSetFlags, type CommandSpec, type FlagSpec } from "./args.ts";

const TRAIN_FLAGS: Record<string, FlagSpec> = {
  config: { type: "string", short: "c", value: "FILE", description: "YAML or JSON config (flags override it)" },
  model: { type: "string", short: "m", value: "PATH", description: "Hugging Face model folder or .gguf file" },
  data: { type: "string", short: "d", value: "DIR", description: "a `medtune data prepare` run folder (train.jsonl, validation.jsonl, prompt-template.json)" },
  train: { type: "string", value: "FILE", description: "training split (QAItem JSONL), instead of or beside --data" },
  validation: { type: "string", value: "FILE", description: "validation split (QAItem JSONL)" },
  method: { type: "string", value: "lora|full", description: "train a LoRA adapter (default) or every weight" },
  name: { type: "string", value: "NAME", description: "run name (default finetune)" },
  out: { type: "string", short: "o", value: "DIR", description: "run folder (default runs/<stamp>-finetune-<name>)" },
  seed: { type: "string", value: "N", description: "seed of LoRA init, dropout, shuffles and replay (default 1234)" },
  lr: { type: "string", value: "LR", description: "peak learning rate (default 2e-4 LoRA, 2e-5 full)" },
  epochs: { type: "string", value: "N", description: "passes over the training split (default 3)" },
  "max-steps": { type: "string", value: "N", description: "stop after N optimizer steps" },
  rank: { type: "string", value: "R", description: "LoRA rank (default 8)" },
  "ewc-lambda": { type: "string", value: "L", description: "EWC strength (needs --set ewc.reference=... or ewc.fisherFrom)" },
  resume: { type: "string", value: "RUN_DIR", description: "continue a killed or finished run from its newest checkpoint" },
  set: { type: "string", multiple: true, value: "KEY=VALUE", description: "any config key, e.g. --set batch.size=8" },
};

/** Builds the raw train config: the file, then flags on top. */
export function trainConfigFromFlags(flags: Record<string, unknown>): { raw: unknown; where: string } {
  const file = flags.config as string | undefined;
  const base = file ? readConfigFile(file) : {};
  const over: Record<string, unknown> = {};
  const str = (flag: string, key: string): void => { if (flags[flag] !== undefined) setPath(over, key, flags[flag]); };
  const num = (flag: string, key: string): void => { const n = numberFlag(flags, flag); if (n !== undefined) setPath(over, key, n); };
  str("model", "model");
  str("data", "data.dir");
  str("train", "data.train");
  str("validation", "data.validation");
  str("method", "method");
  str("name", "name");
  str("out", "out");
  num("seed", "seed");
  num("lr", "optim.lr");
  num("epochs", "steps.epochs");
  num("max-steps", "steps.max");
  num("rank", "lora.rank");
  num("ewc-lambda", "ewc.lambda");
  for (const [k, v] of parseSetFlags(flags.set)) setPath(over, k, v);
  return { raw: deepMerge(base, over), where: file ? `${file} + flags` : "flags" };
}

/** `medtune train`. */
export const trainCommand: CommandSpec = {
  words: ["train"],
  summary: "fine-tune a model (LoRA or full) on prepared data, with early stopping, EWC, replay, checkpoints and exports",
  usage: "medtune train --model PATH --data DIR [--method lora|full] [--config FILE] [options]\n       medtune train --resume RUN_DIR",
  details: "Writes runs/<stamp>-finetune-<name>/ with config.json, data.json, metrics.jsonl, checkpoints/ and export/ (PEFT adapter,\n" +
    "GGUF LoRA, merged Hugging Face folder, GGUF). Every config key can be set in the --config file or with --set key=value.",
  flags: TRAIN_FLAGS,
  async run(flags, positionals) {
    if (positionals.length > 0) throw new MedtuneError("cli.usage", `unexpected argument "${positionals[0]}"`, { hint: "give the model with --model and the data with --data" });
    const quiet = Boolean(flags.quiet);
    if (flags.resume !== undefined) {
      const others = Object.keys(flags).filter((k) => flags[k] !== undefined && !["resume", "quiet", "debug"].includes(k));
      if (others.length > 0) throw new MedtuneError("cli.usage", `--resume continues with the run's saved config; drop --${others[0]}`, { hint: "start a new run to change settings" });
      await resumeFinetune(String(flags.resume), { quiet });
      return 0;
    }
    const { raw, where } = trainConfigFromFlags(flags);
    await finetuneFromRaw(raw, where, { quiet });
    return 0;
  },
};
