// metrics.jsonl of a run: one JSON line per training step and per evaluation, appended as they happen (so a
// killed run keeps its history); a resume first cuts the file back to the checkpoint's step.
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { writeFileAtomic } from "../core/index.ts";

/** One line of metrics.jsonl: a training step, an evaluation, or the error that stopped the run. */
export interface MetricsRecord {
  type: "train" | "eval" | "error";
  step: number;
  [key: string]: unknown;
}

/** An append-only metrics.jsonl. */
export class MetricsLog {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  /** Appends one record. */
  append(rec: MetricsRecord): void {
    appendFileSync(this.path, JSON.stringify(rec) + "\n");
  }

  /** Every record in the file (a torn last line, from a kill mid-write, is skipped). */
  read(): MetricsRecord[] {
    if (!existsSync(this.path)) return [];
    const out: MetricsRecord[] = [];
    for (const line of readFileSync(this.path, "utf8").split("\n")) {
      if (!line) continue;
      try {
        out.push(JSON.parse(line) as MetricsRecord);
      } catch {
        /* a line cut by a kill */
      }
    }
    return out;
  }

  /** Keeps only the records of steps ≤ `step` (errors dropped), rewriting the file atomically. */
  truncateAfter(step: number): void {
    const keep = this.read().filter((r) => r.step <= step && r.type !== "error");
    writeFileAtomic(this.path, keep.map((r) => JSON.stringify(r) + "\n").join(""));
  }
}
