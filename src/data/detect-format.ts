// Guesses a dataset's format from its content (first record's fields) and layout, for `data inspect` and for
// error hints; `data prepare` always takes the format explicitly.
import { closeSync, existsSync, openSync, readSync, readdirSync, statSync } from "node:fs";
import { basename, extname, join } from "node:path";

function head(path: string, bytes = 65536): string {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n).toString("utf8").replace(/^\uFEFF/, "");
  } finally {
    closeSync(fd);
  }
}

/** Picks the adapter for a JSON record by its keys. */
export function formatOfRecord(rec: Record<string, unknown>): string | null {
  const k = (x: string) => x in rec;
  if (k("kind") && k("question") && k("answer") && k("source") && k("metadata")) return "medtune";
  if (k("opa") && k("cop")) return "medmcqa";
  if (k("answer_idx") && k("options")) return "medqa";
  if (k("QUESTION") && (k("CONTEXTS") || k("final_decision"))) return "pubmedqa";
  if (k("qtype") && k("question") && k("answer")) return "medquad";
  if (k("messages") || k("conversations")) return "chat";
  if (k("instruction") && k("output")) return "alpaca";
  return null;
}

/** Detects the format of a dataset file or folder; null when unknown. */
export function detectFormat(path: string): string | null {
  if (!existsSync(path)) return null;
  if (statSync(path).isDirectory()) {
    const names: string[] = [];
    const walk = (d: string, depth: number) => {
      for (const n of readdirSync(d)) {
        const p = join(d, n);
        if (statSync(p).isDirectory()) { if (depth < 2) walk(p, depth + 1); } else names.push(n);
      }
    };
    walk(path, 0);
    if (names.some((n) => n.endsWith(".xml"))) return "medquad";
    if (names.some((n) => /_(dev|val|test|auxiliary_train)\.csv$/.test(n))) return "mmlu";
    return null;
  }
  const ext = extname(path).toLowerCase();
  const text = head(path);
  if (ext === ".csv") {
    if (/_(dev|val|test)\.csv$/.test(basename(path))) return "mmlu";
    return "csv";
  }
  if (ext === ".xml") return "medquad";
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{")) {
    // JSONL: the first line is a record; a JSON object keyed by ids (PubMedQA) starts with {"<id>": {
    const firstLine = trimmed.split("\n", 1)[0];
    try {
      const rec = JSON.parse(firstLine) as Record<string, unknown>;
      return formatOfRecord(rec) ?? "jsonl";
    } catch {
      if (/^\{\s*"[^"]+"\s*:\s*\{\s*"QUESTION"/.test(trimmed)) return "pubmedqa";
      return null;
    }
  }
  if (trimmed.startsWith("[")) return /"instruction"/.test(text) ? "alpaca" : null;
  return null;
}
