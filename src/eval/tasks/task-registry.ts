// The evaluation tasks medtune knows, as one table: which dataset adapter reads the task's files, which item kind
// it scores, its default scoring (lm-evaluation-harness style log-likelihood for MCQ and yes/no, generation for
// open-ended) and, for the demo tasks, the built-in data. Any dataset format name also works as a task name.
import { MedtuneError, assetPath } from "../../core/index.ts";
import { ADAPTERS, type QAKind } from "../../data/index.ts";
import type { ChoiceMode, ScoringMode } from "../run/protocol.ts";

/** A task: where its items come from and how they are scored by default. */
export interface TaskDef {
  name: string;
  description: string;
  /** the dataset adapter (src/data/formats) */
  format: string;
  /** built-in data under assets/ (demo tasks); other tasks need a path */
  builtinData?: string;
  /** the item kind scored; undefined: whatever the data holds, split into one task per kind */
  kind?: QAKind;
  scoring: ScoringMode;
  choices: ChoiceMode;
}

const TASK_LIST: TaskDef[] = [
  { name: "demo-mcq", description: "medtune's original demo MCQs (built in)", format: "medtune", builtinData: "demo/mcq.jsonl", kind: "mcq", scoring: "loglik", choices: "letters" },
  { name: "demo-open", description: "medtune's original demo open questions (built in)", format: "medtune", builtinData: "demo/open.jsonl", kind: "open", scoring: "generative", choices: "letters" },
  { name: "medqa", description: "MedQA-USMLE multiple choice (4 or 5 options)", format: "medqa", kind: "mcq", scoring: "loglik", choices: "letters" },
  { name: "medmcqa", description: "MedMCQA multiple choice (4 options)", format: "medmcqa", kind: "mcq", scoring: "loglik", choices: "letters" },
  { name: "mmlu-medical", description: "MMLU medical subjects (CSV files or folders)", format: "mmlu", kind: "mcq", scoring: "loglik", choices: "letters" },
  { name: "pubmedqa", description: "PubMedQA yes/no/maybe (with or without its abstract context)", format: "pubmedqa", kind: "yesno", scoring: "loglik", choices: "letters" },
  { name: "medquad", description: "MedQuAD open-ended consumer health questions (EM, token F1, ROUGE-L)", format: "medquad", kind: "open", scoring: "generative", choices: "letters" },
];

/** Built-in tasks by name. */
export const TASKS: Readonly<Record<string, TaskDef>> = Object.freeze(Object.fromEntries(TASK_LIST.map((t) => [t.name, t])));

/** The task named `name`: a built-in task, or a dataset format used as a task (its kinds split per kind). */
export function getTaskDef(name: string): TaskDef {
  if (Object.hasOwn(TASKS, name)) return TASKS[name];
  if (Object.hasOwn(ADAPTERS, name)) {
    return { name, description: ADAPTERS[name].description, format: name, scoring: "loglik", choices: "letters" };
  }
  throw new MedtuneError("eval.unknown-task", `unknown task "${name}"`, {
    hint: `use a built-in task (${Object.keys(TASKS).join(", ")}) or a dataset format (${Object.keys(ADAPTERS).join(", ")}) with a path`,
  });
}

/** The built-in data of a task, or null. */
export function builtinTaskData(def: TaskDef): string | null {
  return def.builtinData ? assetPath(def.builtinData) : null;
}
