// `medtune data inspect`: a quick look at a dataset or a prepared run folder: counts by kind, source, subject and
// label, unreadable records by reason, and a few rendered examples.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { MedtuneError } from "../core/index.ts";
import { ADAPTERS, getAdapter, detectFormat, cleanItem, validateItem, labelOf, bump, renderExample, DEFAULT_TEMPLATE, type QAItem } from "../data/index.ts";

/** Options of inspectPath. */
export interface InspectOptions {
  format?: string;
  limit?: number;
  json?: boolean;
}

function top(rec: Record<string, number>, n = 15): string {
  const rows = Object.entries(rec).sort((a, b) => b[1] - a[1]);
  return rows.slice(0, n).map(([k, v]) => `    ${k || "(none)"}: ${v}`).join("\n") + (rows.length > n ? `\n    ... ${rows.length - n} more` : "");
}

/** Summarizes a dataset or a prepare run folder as text (or JSON). */
export async function inspectPath(path: string, opts: InspectOptions = {}): Promise<string> {
  if (!existsSync(path)) throw new MedtuneError("inspect.missing", `not found: ${path}`, { hint: "give a dataset file or folder, or a data prepare output folder" });
  const card = join(path, "data-card.json");
  if (existsSync(card)) {
    if (opts.json) return readFileSync(card, "utf8");
    const md = join(path, "data-card.md");
    return existsSync(md) ? readFileSync(md, "utf8") : readFileSync(card, "utf8");
  }
  const format = opts.format ?? detectFormat(path);
  if (!format) {
    throw new MedtuneError("inspect.format", `cannot tell the format of ${path}`, { hint: `pass --format (one of ${Object.keys(ADAPTERS).join(", ")})` });
  }
  const adapter = getAdapter(format);
  const byKind: Record<string, number> = {};
  const bySubject: Record<string, number> = {};
  const byLabel: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const invalid: Record<string, number> = {};
  const examples: QAItem[] = [];
  const firstErrors: string[] = [];
  let records = 0;
  for await (const rec of adapter.read(path, {})) {
    records++;
    if (!rec.item) {
      const reason = rec.error?.reason ?? "unknown";
      bump(errors, reason);
      if (firstErrors.length < 5) firstErrors.push(`${rec.file}:${rec.line} ${rec.error?.field ?? ""}: ${rec.error?.message ?? reason}`);
      continue;
    }
    const item = cleanItem(rec.item).item;
    const p = validateItem(item);
    if (p) {
      bump(invalid, p.reason);
      if (firstErrors.length < 5) firstErrors.push(`${rec.file}:${rec.line} ${p.field}: ${p.message}`);
    }
    bump(byKind, item.kind);
    bump(bySubject, item.subject ?? "");
    bump(byLabel, labelOf(item));
    if (examples.length < (opts.limit ?? 3)) examples.push(item);
  }
  const summary = { path, format, records, byKind, bySubject, byLabel, unreadable: errors, invalid, firstProblems: firstErrors };
  if (opts.json) return JSON.stringify({ ...summary, examples }, null, 2);
  const lines = [
    `${path} (${format}): ${records} records`,
    `  kinds:\n${top(byKind)}`,
    `  answer labels:\n${top(byLabel)}`,
    `  subjects:\n${top(bySubject)}`,
    `  unreadable records: ${Object.values(errors).reduce((a, b) => a + b, 0)}${Object.keys(errors).length ? "\n" + top(errors) : ""}`,
    `  invalid records (would be quarantined): ${Object.values(invalid).reduce((a, b) => a + b, 0)}${Object.keys(invalid).length ? "\n" + top(invalid) : ""}`,
    ...(firstErrors.length ? ["  first problems:", ...firstErrors.map((e) => `    ${e}`)] : []),
    "",
    ...examples.flatMap((it, i) => {
      const ex = renderExample(it, DEFAULT_TEMPLATE);
      return [`--- example ${i + 1}: ${it.id}`, ex.prompt + ex.completion, ""];
    }),
  ];
  return lines.join("\n");
}

/** The list of formats for `medtune data formats`. */
export function listFormats(): string {
  const w = Math.max(...Object.keys(ADAPTERS).map((k) => k.length)) + 2;
  return Object.values(ADAPTERS).map((a) => `${a.name.padEnd(w)}${a.description}`).join("\n");
}
