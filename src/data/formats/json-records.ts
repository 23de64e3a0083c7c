// Reads JSON records from a JSONL file (one object per line, via core's readLines: line numbers, strict UTF-8,
// size limit) or, when the file starts with `[`, from a JSON array file (one object per element). Blank lines are
// not records; for array files the record number is the element's 1-based index. Every bad line becomes a RawRecord
// with a reason and its raw text. With AdapterOptions.select, records it turns down are skipped unparsed.
import { readLines } from "../../core/index.ts";
import { firstByte, readJsonEntries } from "./json-entries.ts";
import { DEFAULT_MAX_RECORD_BYTES, MAX_RAW_BYTES, isObject, typeName, type RawRecord } from "./record-fields.ts";
import type { AdapterOptions } from "./types.ts";
import { requireFile } from "./source-files.ts";

/** Reads the object records of a JSONL or JSON-array file; `adapter` names the caller in whole-file errors. */
export async function* readJsonRecords(path: string, opts: AdapterOptions, adapter: string): AsyncGenerator<RawRecord<Record<string, unknown>>> {
  requireFile(path, adapter);
  const maxBytes = opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const select = opts.select;
  if ((await firstByte(path)) === 0x5b) {
    for await (const e of readJsonEntries(path, { maxRecordBytes: maxBytes, what: adapter })) {
      const base = { file: path, line: e.index, raw: e.raw, bytes: e.bytes };
      if (select !== undefined && !select()) yield { ...base, raw: "", skipped: true };
      else if (e.error) yield { ...base, error: e.error };
      else if (!isObject(e.value)) yield { ...base, error: { field: "(record)", reason: "json.not-object", message: `array element ${e.index} (line ${e.textLine}) is ${typeName(e.value)}, not a JSON object: each element must be one record object` } };
      else yield { ...base, value: e.value };
    }
    return;
  }
  for await (const l of readLines(path, { maxLineBytes: maxBytes, maxRawBytes: MAX_RAW_BYTES })) {
    const base = { file: path, line: l.line, bytes: l.bytes };
    if (l.text !== undefined && l.text.trim() === "") continue;
    if (select !== undefined && !select()) {
      yield { ...base, raw: "", skipped: true };
      continue;
    }
    if (l.text === undefined) {
      const raw = l.raw ?? "";
      if (l.bytes > maxBytes) {
        yield { ...base, raw, error: { field: "(line)", reason: "record.too-large", message: `line ${l.line} is ${l.bytes} bytes, over the ${maxBytes}-byte record limit: split or shorten the record, or raise maxRecordBytes` } };
      } else {
        yield { ...base, raw, error: { field: "(line)", reason: "utf8.invalid", message: `line ${l.line} holds bytes that are not valid UTF-8: re-encode the file as UTF-8` } };
      }
      continue;
    }
    const text = l.text;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      yield { ...base, raw: text, error: { field: "(line)", reason: "json.parse", message: `line ${l.line} is not valid JSON (${(e as Error).message}): fix the line's syntax; each line must hold one complete JSON object` } };
      continue;
    }
    if (!isObject(value)) {
      yield { ...base, raw: text, error: { field: "(line)", reason: "json.not-object", message: `line ${l.line} holds ${typeName(value)}, not a JSON object: each JSONL line must be one record object` } };
      continue;
    }
    yield { ...base, raw: text, value };
  }
}
