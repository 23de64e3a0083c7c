// Streams the members of a whole-file JSON object (`{"key": value, ...}`, e.g. PubMedQA keyed by PMID) or array
// (`[value, ...]`, e.g. Alpaca) one at a time, so a huge file (PQA-A, 200k entries) never sits in memory as one string
// and one broken entry becomes one error record. A byte-level scanner splits at top-level commas outside strings.
import { createReadStream } from "node:fs";
import { MedtuneError } from "../../core/index.ts";
import { MAX_RAW_BYTES, type RecordProblem } from "./record-fields.ts";

/** One top-level member of a JSON object or array file. */
export interface JsonEntry {
  /** 1-based member number. */
  index: number;
  /** 1-based text line where the member starts. */
  textLine: number;
  /** The member's key (object files only). */
  key?: string;
  value?: unknown;
  /** The member's text (`"key": value` for objects), cut to 1 MiB when over the size limit. */
  raw: string;
  bytes: number;
  error?: RecordProblem;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const lenientUtf8 = new TextDecoder("utf-8");

/** Returns the first non-whitespace byte of a file (after a UTF-8 BOM), or -1 for an empty/blank file. */
export async function firstByte(path: string): Promise<number> {
  let first = true;
  for await (const chunkAny of createReadStream(path, { highWaterMark: 64 * 1024 })) {
    let chunk = chunkAny as Buffer;
    if (first && chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    first = false;
    for (const b of chunk) if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return b;
  }
  return -1;
}

/** Streams the members of a top-level JSON object or array file; throws MedtuneError when the file is neither. */
export async function* readJsonEntries(path: string, opts: { maxRecordBytes: number; what: string }): AsyncGenerator<JsonEntry> {
  const maxBytes = opts.maxRecordBytes;
  let kind: "object" | "array" | undefined;
  let closed = false;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let parts: Buffer[] = [];
  let kept = 0; // bytes kept in parts (at most maxBytes + 1)
  let size = 0; // bytes of the current member
  let index = 0;
  let line = 1;
  let startLine = 1;
  let trailing = 0;
  let first = true;

  const take = (chunk: Buffer, from: number, to: number): void => {
    if (to <= from) return;
    size += to - from;
    const room = maxBytes + 1 - kept;
    if (room > 0) {
      const piece = chunk.subarray(from, Math.min(to, from + room));
      parts.push(Buffer.from(piece));
      kept += piece.length;
    }
  };

  const flush = (truncated: boolean): JsonEntry | undefined => {
    const buf = Buffer.concat(parts);
    parts = [];
    kept = 0;
    const bytes = size;
    size = 0;
    // Trim surrounding whitespace of the member text.
    let s = 0;
    let e = buf.length;
    while (s < e && (buf[s] === 0x20 || buf[s] === 0x0a || buf[s] === 0x0d || buf[s] === 0x09)) s++;
    while (e > s && (buf[e - 1] === 0x20 || buf[e - 1] === 0x0a || buf[e - 1] === 0x0d || buf[e - 1] === 0x09)) e--;
    if (s === e && !truncated) return undefined;
    index++;
    const body = buf.subarray(s, e);
    const base = { index, textLine: startLine, bytes };
    const where = `entry ${index} (line ${startLine})`;
    if (bytes > maxBytes) {
      const raw = lenientUtf8.decode(body.subarray(0, MAX_RAW_BYTES));
      const key = kind === "object" ? /^\s*"((?:[^"\\]|\\.)*)"/.exec(raw)?.[1] : undefined;
      return { ...base, key, raw, error: { field: "(record)", reason: "record.too-large", message: `${where} is ${bytes} bytes, over the ${maxBytes}-byte record limit: split or shorten it, or raise maxRecordBytes` } };
    }
    let text: string;
    try {
      text = strictUtf8.decode(body);
    } catch {
      return { ...base, raw: lenientUtf8.decode(body), error: { field: "(record)", reason: "utf8.invalid", message: `${where} holds bytes that are not valid UTF-8: re-encode the file as UTF-8` } };
    }
    if (truncated) {
      return { ...base, raw: text, error: { field: "(record)", reason: "json.truncated", message: `the file ends inside ${where} before the closing ${kind === "object" ? "}" : "]"}: the file is cut short or its brackets do not balance; download it again or fix the entry` } };
    }
    try {
      if (kind === "object") {
        const obj = JSON.parse(`{${text}}`) as Record<string, unknown>;
        const keys = Object.keys(obj);
        if (keys.length !== 1) throw new SyntaxError(`expected one "key": value member, found ${keys.length}`);
        return { ...base, key: keys[0], value: obj[keys[0]], raw: text };
      }
      return { ...base, value: JSON.parse(text), raw: text };
    } catch (err) {
      const key = kind === "object" ? /^\s*"((?:[^"\\]|\\.)*)"/.exec(text)?.[1] : undefined;
      return { ...base, key, raw: text, error: { field: "(record)", reason: "json.parse", message: `${where} is not valid JSON (${(err as Error).message}): fix the entry's syntax` } };
    }
  };

  for await (const chunkAny of createReadStream(path, { highWaterMark: 1 << 20 })) {
    let chunk = chunkAny as Buffer;
    if (first) {
      first = false;
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    }
    let from = 0; // start of the not-yet-taken part of this chunk belonging to the current member
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (c === 0x0a) line++;
      if (closed) {
        if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) trailing++;
        continue;
      }
      if (kind === undefined) {
        if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
        if (c === 0x7b) kind = "object";
        else if (c === 0x5b) kind = "array";
        else {
          throw new MedtuneError("data.not-json", `${opts.what}: ${path} does not start with a JSON ${"{"} or [`, { where: `${path}:${line}`, hint: "give a JSON object or array file (or use a JSONL adapter for one record per line)" });
        }
        from = i + 1;
        startLine = line;
        continue;
      }
      if (inString) {
        if (escaped) {
          escaped = false;
          continue;
        }
        // Tight scan to the next quote or backslash (valid JSON strings hold no raw newlines, so no lines are missed).
        let j = i;
        const n = chunk.length;
        while (j < n && chunk[j] !== 0x22 && chunk[j] !== 0x5c) j++;
        if (j === n) i = n - 1;
        else {
          i = j;
          if (chunk[j] === 0x5c) escaped = true;
          else inString = false;
        }
        continue;
      }
      if (c === 0x22) {
        inString = true;
        if (size === 0 && i === from) startLine = line;
        continue;
      }
      if (c === 0x7b || c === 0x5b) {
        depth++;
        continue;
      }
      if (c === 0x7d || c === 0x5d) {
        if (depth > 0) {
          depth--;
          continue;
        }
        take(chunk, from, i);
        const entry = flush(false);
        if (entry) yield entry;
        closed = true;
        continue;
      }
      if (c === 0x2c && depth === 0) {
        take(chunk, from, i);
        const entry = flush(false);
        if (entry) yield entry;
        from = i + 1;
        startLine = line;
        continue;
      }
      if (size === 0 && i === from && (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09)) {
        from = i + 1;
        startLine = c === 0x0a ? line : startLine;
      }
    }
    if (!closed && kind !== undefined) take(chunk, from, chunk.length);
  }
  if (kind !== undefined && !closed) {
    const entry = flush(true);
    if (entry) yield entry;
  }
  if (trailing > 0) {
    yield {
      index: index + 1,
      textLine: line,
      raw: "",
      bytes: trailing,
      error: { field: "(file)", reason: "json.trailing", message: `${path} has ${trailing} non-blank bytes after the closing ${kind === "object" ? "}" : "]"}: remove them or split the file into separate JSON documents` },
    };
  }
}
