// Reading the trainer's inputs: canonical QAItem JSONL splits from `data prepare` (train.jsonl, validation.jsonl),
// and general or earlier-task sets for retention, replay and EWC, which may be QAItem JSONL, {"text": ...} JSONL or
// plain text (one document per non-empty line). A bad record stops the run at start, naming file and line.
import { existsSync, statSync } from "node:fs";
import { fail, readLines } from "../core/index.ts";
import { getAdapter, type QAItem } from "../data/index.ts";

/** An item and where it came from (file:line). */
export interface LocatedItem {
  item: QAItem;
  where: string;
}

/** A text document and where it came from. */
export interface LocatedText {
  text: string;
  where: string;
}

/** A general or earlier-task set: QA items (scored on answers) or plain texts (scored on every token). */
export type ReferenceSet = { kind: "qa"; items: LocatedItem[] } | { kind: "text"; texts: LocatedText[] };

function checkFile(path: string, what: string): void {
  if (!existsSync(path)) fail("train.missing-file", `${what} file not found: ${path}`, what, "check the path (relative paths are resolved from the current folder)");
  if (!statSync(path).isFile()) fail("train.not-a-file", `${what} is not a file: ${path}`, what, "give a JSONL file (a prepare run folder goes in data.dir)");
}

/** Reads a canonical QAItem JSONL split; the first bad record fails with its file, line and field. */
export async function readQaSplit(path: string, what: string): Promise<LocatedItem[]> {
  checkFile(path, what);
  const out: LocatedItem[] = [];
  for await (const rec of getAdapter("medtune").read(path, {})) {
    if (rec.error || !rec.item) {
      fail("train.bad-record", `${what} ${rec.file}:${rec.line}: ${rec.error?.message ?? "unreadable record"}`, undefined, "the split must be canonical QAItem JSONL as `medtune data prepare` writes it");
    }
    out.push({ item: rec.item, where: `${path}:${rec.line}` });
  }
  return out;
}

/** Reads a general/earlier-task set: QAItem JSONL, {"text"} JSONL, or a .txt file with one document per line. */
export async function readReferenceSet(path: string, what: string): Promise<ReferenceSet> {
  checkFile(path, what);
  if (!/\.jsonl?$/i.test(path)) {
    const texts: LocatedText[] = [];
    for await (const l of readLines(path)) {
      if (l.text === undefined) fail("train.bad-record", `${what} ${path}:${l.line}: ${l.error}`, what, "the file must be UTF-8 text");
      if (l.text.trim()) texts.push({ text: l.text, where: `${path}:${l.line}` });
    }
    return { kind: "text", texts };
  }
  let kind: "qa" | "text" | null = null;
  const texts: LocatedText[] = [];
  for await (const l of readLines(path)) {
    if (l.text === undefined) fail("train.bad-record", `${what} ${path}:${l.line}: ${l.error}`, what, "the file must be UTF-8 JSONL");
    if (!l.text.trim()) continue;
    let obj: unknown;
    try {
      obj = JSON.parse(l.text);
    } catch (e) {
      fail("train.bad-record", `${what} ${path}:${l.line}: not JSON (${(e as Error).message})`, what, "one JSON object per line");
    }
    const isText = typeof obj === "object" && obj !== null && typeof (obj as { text?: unknown }).text === "string" && !("question" in obj);
    const k = isText ? "text" : "qa";
    if (kind !== null && k !== kind) fail("train.mixed-set", `${what} ${path}:${l.line} mixes {"text"} records with QA items`, what, "keep one kind of record per file");
    kind = k;
    if (isText) texts.push({ text: (obj as { text: string }).text, where: `${path}:${l.line}` });
  }
  if (kind === "qa") return { kind: "qa", items: await readQaSplit(path, what) };
  return { kind: "text", texts };
}

/** Number of records in a reference set. */
export function referenceSize(s: ReferenceSet): number {
  return s.kind === "qa" ? s.items.length : s.texts.length;
}
