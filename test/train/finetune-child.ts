// Test helper run as a child process (`node --import tsx test/train/finetune-child.ts CONFIG.json`): a fine-tuning
// run the resume test kills with SIGKILL mid-training.
import { readFileSync } from "node:fs";
import { FinetuneConfigSchema } from "../../src/recipes/finetune-config.ts";
import { finetune } from "../../src/recipes/finetune.ts";

const config = FinetuneConfigSchema.parse(JSON.parse(readFileSync(process.argv[2], "utf8")));
await finetune(config, { quiet: true });
