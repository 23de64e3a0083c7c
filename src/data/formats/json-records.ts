// Reads JSON records from a JSONL file (one object per line, via LineReader: line numbers, strict UTF-8, size limit)
// or, when the file starts with `[`, from a JSON array file (one object per element), and maps each to a SourceRecord.
// Blank lines are not records; for array files the record number is the element's 1-based index. Every bad line
// becomes an error record with a reason and its raw text. With AdapterOptions.select, records it turns down are
// skipped undecoded and unparsed.
import { LineReader } from "../../core/index.ts";
import { firstByte, readJsonEntries } from "./json-entries.ts";
import { DEFAULT_MAX_RECORD_BYTES, MAX_RAW_BYTES, isObject, mapRecord, typeName, type MapRecord } from "./record-fields.ts";
import type { AdapterOptions, SourceRecord } from "./types.ts";
import { requireFile } from "./source-files.ts";

type JsonObject = Record<string, unknown>;

/** Reads the object records of a JSONL or JSON-array file and maps them; `adapter` names the caller in whole-file errors. */
export async function* readJsonRecords(path: string, opts: AdapterOptions, adapter: string, map: MapRecord<JsonObject>): AsyncGenerator<SourceRecord> {
  requireFile(path, adapter);
  const maxBytes = opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const select = opts.select;
  if (firstByte(path) === 0x5b) {
    for await (const e of readJsonEntries(path, { maxRecordBytes: maxBytes, what: adapter, select })) {
      if (e.skipped) yield { file: path, line: e.index, raw: "", skipped: true };
      else if (e.error) yield { file: path, line: e.index, raw: e.raw, bytes: e.bytes, error: e.error };
      else if (!isObject(e.value)) {
        const message = `array element ${e.index} (line ${e.textLine}) is ${typeName(e.value)}, not a JSON object: each element must be one record object`;
        yield { file: path, line: e.index, raw: e.raw, bytes: e.bytes, error: { field: "(record)", reason: "json.not-object", message } };
      } else yield mapRecord(path, e.index, e.raw, e.bytes, e.value, map);
    }
    return;
  }
  const lines = await LineReader.open(path, { maxLineBytes: maxBytes, maxRawBytes: MAX_RAW_BYTES });
  try {
    while (await lines.fill()) {
      while (lines.next()) {
        if (lines.isBlank()) continue;
        if (select !== undefined && !select()) {
          lines.lineByLine(); // a reader that skips records decodes only the lines it keeps
          yield { file: path, line: lines.line, raw: "", skipped: true };
          continue;
        }
        yield lineRecord(lines, path, maxBytes, map);
      }
    }
  } finally {
    await lines.close();
  }
}

// The current line of `lines` (not blank) as a SourceRecord: its mapped object, or why it has none. A plain function
// rather than generator code, so that it is optimized early.
function lineRecord(lines: LineReader, path: string, maxBytes: number, map: MapRecord<JsonObject>): SourceRecord {
  const { line, bytes } = lines;
  const text = lines.text();
  if (text === undefined) {
    const error =
      bytes > maxBytes
        ? { field: "(line)", reason: "record.too-large", message: `line ${line} is ${bytes} bytes, over the ${maxBytes}-byte record limit: split or shorten the record, or raise maxRecordBytes` }
        : { field: "(line)", reason: "utf8.invalid", message: `line ${line} holds bytes that are not valid UTF-8: re-encode the file as UTF-8` };
    return { file: path, line, raw: lines.raw(), bytes, error };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const message = `line ${line} is not valid JSON (${(e as Error).message}): fix the line's syntax; each line must hold one complete JSON object`;
    return { file: path, line, raw: text, bytes, error: { field: "(line)", reason: "json.parse", message } };
  }
  if (!isObject(value)) {
    const message = `line ${line} holds ${typeName(value)}, not a JSON object: each JSONL line must be one record object`;
    return { file: path, line, raw: text, bytes, error: { field: "(line)", reason: "json.not-object", message } };
  }
  return mapRecord(path, line, text, bytes, value, map);
}
