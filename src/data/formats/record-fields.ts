// Field access for adapters: typed getters over parsed records that raise a RecordError (field, reason, sentence)
// instead of crashing, plus ids, dotted paths and the one loop that turns raw records into SourceRecords.
import { basename } from "node:path";
import type { SourceRecord } from "./types.ts";
import type { QAItem } from "../schema.ts";

/** Why a record could not be mapped; becomes SourceRecord.error. */
export interface RecordProblem {
  field: string;
  reason: string;
  message: string;
}

/** Thrown inside an adapter's mapping function for one bad record; the read loop turns it into an error record. */
export class RecordError extends Error {
  readonly problem: RecordProblem;
  constructor(field: string, reason: string, message: string) {
    super(message);
    this.name = "RecordError";
    this.problem = { field, reason, message };
  }
}

/** A record as a reader produced it, before mapping: parsed value or a read-level problem, plus the raw text. */
export interface RawRecord<T> {
  file: string;
  line: number;
  raw: string;
  bytes: number;
  value?: T;
  error?: RecordProblem;
  /** Not parsed: AdapterOptions.select turned it down. */
  skipped?: boolean;
}

/** Default size limit of one record (bytes). */
export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;
/** How much of an over-size record is kept as raw text for quarantine. */
export const MAX_RAW_BYTES = 1024 * 1024;

/** Maps raw records to SourceRecords; a RecordError (or any other failure) in `map` becomes an error record. */
export async function* mapRecords<T>(
  records: AsyncIterable<RawRecord<T>>,
  map: (value: T, rec: RawRecord<T>) => QAItem,
): AsyncGenerator<SourceRecord> {
  for await (const r of records) {
    if (r.skipped) {
      yield { file: r.file, line: r.line, raw: "", skipped: true };
      continue;
    }
    const base = { file: r.file, line: r.line, raw: r.raw, bytes: r.bytes };
    if (r.error || r.value === undefined) {
      yield { ...base, error: r.error ?? { field: "(record)", reason: "record.empty", message: "the record is empty: remove it" } };
      continue;
    }
    try {
      yield { ...base, item: map(r.value, r) };
    } catch (e) {
      if (e instanceof RecordError) yield { ...base, error: e.problem };
      else yield { ...base, error: { field: "(record)", reason: "adapter.failed", message: `the adapter could not map this record (${(e as Error).message ?? String(e)}): report it with the raw record` } };
    }
  }
}

/** `${sourceName}:${nativeId}`. */
export function makeId(sourceName: string, nativeId: string): string {
  return `${sourceName}:${nativeId}`;
}

/** Stable position-based native id: `<file basename>:<line>`. */
export function positionId(file: string, line: number): string {
  return `${basename(file)}:${line}`;
}

/** True for a plain JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Reads a dotted path (`a.b.0.c`) from a value; undefined when any step is missing. An exact key wins over splitting. */
export function getPath(obj: unknown, path: string): unknown {
  if (isObject(obj) && Object.hasOwn(obj, path)) return obj[path];
  let cur: unknown = obj;
  for (const part of path.split(".")) {
    if (Array.isArray(cur) && /^\d+$/.test(part)) cur = cur[Number(part)];
    else if (isObject(cur) && Object.hasOwn(cur, part)) cur = cur[part];
    else return undefined;
  }
  return cur;
}

/** Short name of a JSON value's type for messages. */
export function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  return `a ${typeof v}`;
}

/** Converts a scalar to text (numbers and booleans stringified); undefined for null/absent; RecordError for objects. */
export function asText(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  throw new RecordError(field, "field.type", `"${field}" is ${typeName(v)}, expected text: fix the record or map another field`);
}

/** A required text field: RecordError `field.missing` when absent or null. */
export function requireText(obj: unknown, field: string, what = "record"): string {
  const v = asText(getPath(obj, field), field);
  if (v === undefined) throw new RecordError(field, "field.missing", `the ${what} has no "${field}": add it or drop the record`);
  return v;
}

/** An optional text field. */
export function optionalText(obj: unknown, field: string): string | undefined {
  return asText(getPath(obj, field), field);
}

/** An optional list of texts (a single string becomes a one-element list). */
export function optionalTextList(obj: unknown, field: string): string[] | undefined {
  const v = getPath(obj, field);
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.map((x, i) => asText(x, `${field}.${i}`) ?? "");
  return [asText(v, field) as string];
}

/** The split a file name names (`train`, `dev`, `val`, `validation`, `test`, ...), if any. */
export function splitFromName(file: string): string | undefined {
  const m = /(?:^|[^a-z])(train|training|dev|val|valid|validation|test|trainval)(?=[^a-z]|$)/i.exec(basename(file).replace(/\.[^.]*$/, ""));
  return m ? m[1].toLowerCase() : undefined;
}

/** Metadata every adapter adds: the file's basename and the split its name states. */
export function fileMetadata(file: string): Record<string, unknown> {
  const split = splitFromName(file);
  return split === undefined ? { file: basename(file) } : { file: basename(file), split };
}
