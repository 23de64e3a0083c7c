// Reads a task's evaluation items through the dataset adapters (src/data/formats), validates each one, and
// accounts for every record: kept, rejected (with file, line and reason) or skipped as another item kind.
// Items keep file order; duplicate ids are refused, since results, caching and paired tests key on the id.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { MedtuneError, sha256 } from "../../core/index.ts";
import { getAdapter, validateItem, type FieldMapping, type QAItem, type QAKind } from "../../data/index.ts";
import { canonicalJson } from "../run/protocol.ts";

/** Where a task's items come from. */
export interface ItemSource {
  format: string;
  path: string;
  /** source name written into items (default: the adapter's) */
  sourceName?: string;
  mapping?: FieldMapping;
  header?: boolean;
  subject?: string;
  /** largest record accepted, in bytes (default 1 MiB) */
  maxRecordBytes?: number;
}

/** A rejected record: where it is and why. */
export interface RejectedRecord {
  file: string;
  line: number;
  field: string;
  reason: string;
  message: string;
}

/** What loading produced. */
export interface LoadedItems {
  items: QAItem[];
  /** records the adapter could not map or validation refused (all of them; the count is items-exact) */
  rejected: RejectedRecord[];
  /** items of each kind found, before any kind filter */
  kinds: Partial<Record<QAKind, number>>;
}

/** Options of loadItems. */
export interface LoadOptions {
  /** keep only items of this kind (others are counted in `kinds`, not rejected) */
  kind?: QAKind;
  /** keep the first N items (after the kind filter) */
  limit?: number;
}

/** Reads, validates and (optionally) filters a task's items. */
export async function loadItems(src: ItemSource, opts: LoadOptions = {}): Promise<LoadedItems> {
  const path = resolve(src.path);
  if (!existsSync(path)) throw new MedtuneError("eval.data-missing", `evaluation data not found: ${src.path}`, { where: `task data (${src.format})`, hint: "check the path (relative paths are resolved from the current folder)" });
  if (opts.limit !== undefined && !(Number.isInteger(opts.limit) && opts.limit >= 1)) throw new MedtuneError("eval.bad-option", `limit must be a positive integer, got ${opts.limit}`, { where: "limit" });
  const adapter = getAdapter(src.format);
  const items: QAItem[] = [];
  const rejected: RejectedRecord[] = [];
  const kinds: Partial<Record<QAKind, number>> = {};
  const seen = new Map<string, string>();
  for await (const rec of adapter.read(path, { sourceName: src.sourceName, mapping: src.mapping, header: src.header, subject: src.subject, maxRecordBytes: src.maxRecordBytes })) {
    if (!rec.item) {
      const e = rec.error ?? { field: "(record)", reason: "read.unmapped", message: "the adapter could not map the record" };
      rejected.push({ file: rec.file, line: rec.line, field: e.field, reason: e.reason, message: e.message });
      continue;
    }
    const problem = validateItem(rec.item);
    if (problem) {
      rejected.push({ file: rec.file, line: rec.line, ...problem });
      continue;
    }
    const item = rec.item;
    kinds[item.kind] = (kinds[item.kind] ?? 0) + 1;
    if (opts.kind !== undefined && item.kind !== opts.kind) continue;
    const where = `${rec.file}:${rec.line}`;
    const first = seen.get(item.id);
    if (first !== undefined) {
      throw new MedtuneError("eval.duplicate-id", `item id "${item.id}" appears twice (first at ${first})`, { where, hint: "evaluation results are keyed by item id: deduplicate the set or give each item a unique id" });
    }
    seen.set(item.id, where);
    if (opts.limit === undefined || items.length < opts.limit) items.push(item);
  }
  return { items, rejected, kinds };
}

/** sha256 of the items' canonical JSON in order: the dataset identity recorded in the protocol. */
export function itemsHash(items: readonly QAItem[]): string {
  return sha256(items.map((it) => canonicalJson(it)).join("\n"));
}
