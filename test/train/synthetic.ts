// Test helper: tiny synthetic QA tasks in the canonical QAItem form, written as a `data prepare` run folder
// (train.jsonl, validation.jsonl, prompt-template.json) with words from the TinyStories vocabulary, so the
// 260K-parameter stories model can learn them in a few dozen steps.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Rng } from "../../src/core/index.ts";
import { TEMPLATES, type PromptTemplate, type QAItem } from "../../src/data/index.ts";

const NAMES = ["Tom", "Lily", "Sam", "Mia", "Ben", "Anna", "Max", "Sue", "Tim", "Lucy", "Jack", "Emma"];
const THINGS = ["ball", "box", "cake", "hat", "car", "book", "cup", "kite", "tree", "boat"];
const COLORS = ["red", "blue", "green", "big", "small", "pink", "happy", "sad"];

/** A task: questions about `animal`, whose gold answer is always option `label` (A..D). */
export interface TaskSpec {
  animal: string;
  label: "A" | "B" | "C" | "D";
  prefix: string;
}

/** n MCQ items of a task, seeded. */
export function taskItems(spec: TaskSpec, n: number, seed: number): QAItem[] {
  const r = new Rng(`${spec.prefix}:${seed}`);
  const labels = ["A", "B", "C", "D"];
  return Array.from({ length: n }, (_, i) => {
    const name = NAMES[r.int(NAMES.length)];
    const thing = THINGS[r.int(THINGS.length)];
    const colors = r.shuffle([...COLORS]).slice(0, 4);
    return {
      id: `${spec.prefix}-${seed}-${i}`, source: "synthetic", kind: "mcq",
      question: `${name} has a ${spec.animal} and a ${thing}. What is the ${spec.animal} like?`,
      options: labels.map((label, k) => ({ label, text: colors[k] })),
      answer: spec.label, metadata: {},
    } satisfies QAItem;
  });
}

/** Writes items as JSONL. */
export function writeJsonl(path: string, items: readonly object[]): string {
  writeFileSync(path, items.map((x) => JSON.stringify(x) + "\n").join(""));
  return path;
}

/** Writes a prepare-like folder with train/validation splits and the prompt template; returns its path. */
export function writePrepared(dir: string, train: readonly QAItem[], validation: readonly QAItem[], template: PromptTemplate = TEMPLATES["medtune-letter-v1"]): string {
  mkdirSync(dir, { recursive: true });
  writeJsonl(join(dir, "train.jsonl"), train);
  writeJsonl(join(dir, "validation.jsonl"), validation);
  writeFileSync(join(dir, "prompt-template.json"), JSON.stringify(template, null, 2) + "\n");
  return dir;
}

/** The two tasks of the forgetting tests: cats are answered A, dogs B. */
export const TASK_A: TaskSpec = { animal: "cat", label: "A", prefix: "cat" };
export const TASK_B: TaskSpec = { animal: "dog", label: "B", prefix: "dog" };
