// Test helpers for the dataset adapters: read everything an adapter yields, split into items and error records.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { getAdapter } from "../../../src/data/formats/index.ts";
import type { AdapterOptions, SourceRecord } from "../../../src/data/formats/types.ts";
import type { QAItem } from "../../../src/data/schema.ts";
import { tmpDir } from "../../helpers/tmp.ts";

/** Everything an adapter yields for `path`, plus the items and the error records apart. */
export async function collect(adapter: string, path: string, opts: AdapterOptions = {}): Promise<{ records: SourceRecord[]; items: QAItem[]; errors: SourceRecord[] }> {
  const records: SourceRecord[] = [];
  for await (const r of getAdapter(adapter).read(path, opts)) records.push(r);
  return { records, items: records.flatMap((r) => (r.item ? [r.item] : [])), errors: records.filter((r) => r.error) };
}

/** Writes `content` to a file in a fresh temp folder and returns its path. */
export function tmpFile(name: string, content: string | Buffer): string {
  const p = join(tmpDir("medtune-formats-"), name);
  writeFileSync(p, content);
  return p;
}

/** Counts values. */
export function countBy<T>(xs: T[], key: (x: T) => string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) {
    const k = key(x) ?? "(none)";
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}
