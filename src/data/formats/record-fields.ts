// Field access for adapters: typed getters over parsed records that raise a RecordError (field, reason, sentence)
// instead of crashing, plus ids, dotted paths and the mapping that turns parsed records into SourceRecords.
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

/** Maps a record's parsed value to an item. */
export type MapRecord<T> = (value: T, file: string, line: number) => QAItem;

/** One parsed record as a SourceRecord: the item `map` makes of it, or the RecordError (or other failure) it throws. */
export function mapRecord<T>(file: string, line: number, raw: string, bytes: number, value: T, map: MapRecord<T>): SourceRecord {
  try {
    const item = map(value, file, line);
    return { file, line, raw, bytes, item };
  } catch (e) {
    if (e instanceof RecordError) return { file, line, raw, bytes, error: e.problem };
    return { file, line, raw, bytes, error: { field: "(record)", reason: "adapter.failed", message: `the adapter could not map this record (${(e as Error).message ?? String(e)}): report it with the raw record` } };
  }
}

/** Maps raw records to SourceRecords; a RecordError (or any other failure) in `map` becomes an error record. */
export async function* mapRecords<T>(records: AsyncIterable<RawRecord<T>>, map: MapRecord<T>): AsyncGenerator<SourceRecord> {
  for await (const r of records) {
    if (r.skipped) yield { file: r.file, line: r.line, raw: "", skipped: true };
    else if (r.error || r.value === undefined) {
      yield { file: r.file, line: r.line, raw: r.raw, bytes: r.bytes, error: r.error ?? { field: "(record)", reason: "record.empty", message: "the record is empty: remove it" } };
    } else yield mapRecord(r.file, r.line, r.raw, r.bytes, r.value, map);
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
  if (isObject(obj)) {
    if (Object.hasOwn(obj, path)) return obj[path];
    if (!path.includes(".")) return undefined;
  }
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

// The last file fileMetadata saw (adapters ask once per record, file after file).
let lastFile: string | undefined;
let lastName = "";
let lastSplit: string | undefined;

/** Metadata every adapter adds: the file's basename and the split its name states (a new object each call). */
export function fileMetadata(file: string): Record<string, unknown> {
  if (file !== lastFile) {
    lastFile = file;
    lastName = basename(file);
    lastSplit = splitFromName(file);
  }
  return lastSplit === undefined ? { file: lastName } : { file: lastName, split: lastSplit };
}
