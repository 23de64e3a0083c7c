// Streams the members of a whole-file JSON object (`{"key": value, ...}`, e.g. PubMedQA keyed by PMID) or array
// (`[value, ...]`, e.g. Alpaca) one at a time, so a huge file (PQA-A, 200k entries) never sits in memory as one string
// and one broken entry becomes one error record. A byte-level scanner splits at top-level commas outside strings;
// members a `select` option turns down are neither decoded nor parsed.
import { createReadStream, openSync, readSync, closeSync } from "node:fs";
import { MedtuneError, decodeUtf8 } from "../../core/index.ts";
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
  /** Not decoded or parsed: the `select` option turned it down (`raw` is empty). */
  skipped?: boolean;
}

/** Options of readJsonEntries. */
export interface JsonEntriesOptions {
  /** Members larger than this many bytes are reported instead of parsed. */
  maxRecordBytes: number;
  /** Names the caller in whole-file errors. */
  what: string;
  /** Called once per member, in order, before it is decoded; a member it answers false for comes back skipped. */
  select?: () => boolean;
}

const lenientUtf8 = new TextDecoder("utf-8");

/** Returns the first non-whitespace byte of a file (after a UTF-8 BOM), or -1 for an empty/blank file. */
export function firstByte(path: string): number {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(64 * 1024);
    let first = true;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) return -1;
      let i = 0;
      if (first && n >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3;
      first = false;
      for (; i < n; i++) {
        const b = buf[i];
        if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return b;
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Streams the members of a top-level JSON object or array file; throws MedtuneError when the file is neither. */
export async function* readJsonEntries(path: string, opts: JsonEntriesOptions): AsyncGenerator<JsonEntry> {
  const maxBytes = opts.maxRecordBytes;
  const select = opts.select;
  const sc = new MemberScanner(
    (line) => new MedtuneError("data.not-json", `${opts.what}: ${path} does not start with a JSON ${"{"} or [`, { where: `${path}:${line}`, hint: "give a JSON object or array file (or use a JSONL adapter for one record per line)" }),
  );
  let parts: Buffer[] = [];
  let kept = 0; // bytes kept in parts (at most maxBytes + 1)
  let index = 0;
  let first = true;

  const take = (chunk: Buffer, from: number, to: number): void => {
    if (to <= from) return;
    sc.size += to - from;
    const room = maxBytes + 1 - kept;
    if (room > 0) {
      const piece = chunk.subarray(from, Math.min(to, from + room));
      parts.push(piece); // a view: the stream hands over each chunk and never reuses it
      kept += piece.length;
    }
  };

  const flush = (truncated: boolean): JsonEntry | undefined => {
    const buf = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    parts = [];
    kept = 0;
    const bytes = sc.size;
    sc.size = 0;
    // Trim surrounding whitespace of the member text.
    let s = 0;
    let e = buf.length;
    while (s < e && (buf[s] === 0x20 || buf[s] === 0x0a || buf[s] === 0x0d || buf[s] === 0x09)) s++;
    while (e > s && (buf[e - 1] === 0x20 || buf[e - 1] === 0x0a || buf[e - 1] === 0x0d || buf[e - 1] === 0x09)) e--;
    if (s === e && !truncated) return undefined;
    index++;
    const base = { index, textLine: sc.startLine, bytes };
    if (select !== undefined && !select()) return { ...base, raw: "", skipped: true };
    const body = buf.subarray(s, e);
    const where = `entry ${index} (line ${sc.startLine})`;
    if (bytes > maxBytes) {
      const raw = lenientUtf8.decode(body.subarray(0, MAX_RAW_BYTES));
      const key = sc.kind === "object" ? /^\s*"((?:[^"\\]|\\.)*)"/.exec(raw)?.[1] : undefined;
      return { ...base, key, raw, error: { field: "(record)", reason: "record.too-large", message: `${where} is ${bytes} bytes, over the ${maxBytes}-byte record limit: split or shorten it, or raise maxRecordBytes` } };
    }
    const text = decodeUtf8(body, 0, body.length);
    if (text === undefined) {
      return { ...base, raw: lenientUtf8.decode(body), error: { field: "(record)", reason: "utf8.invalid", message: `${where} holds bytes that are not valid UTF-8: re-encode the file as UTF-8` } };
    }
    if (truncated) {
      return { ...base, raw: text, error: { field: "(record)", reason: "json.truncated", message: `the file ends inside ${where} before the closing ${sc.kind === "object" ? "}" : "]"}: the file is cut short or its brackets do not balance; download it again or fix the entry` } };
    }
    try {
      if (sc.kind === "object") {
        const obj = JSON.parse(`{${text}}`) as Record<string, unknown>;
        const keys = Object.keys(obj);
        if (keys.length !== 1) throw new SyntaxError(`expected one "key": value member, found ${keys.length}`);
        return { ...base, key: keys[0], value: obj[keys[0]], raw: text };
      }
      return { ...base, value: JSON.parse(text), raw: text };
    } catch (err) {
      const key = sc.kind === "object" ? /^\s*"((?:[^"\\]|\\.)*)"/.exec(text)?.[1] : undefined;
      return { ...base, key, raw: text, error: { field: "(record)", reason: "json.parse", message: `${where} is not valid JSON (${(err as Error).message}): fix the entry's syntax` } };
    }
  };

  for await (const chunkAny of createReadStream(path, { highWaterMark: 1 << 20 })) {
    let chunk = chunkAny as Buffer;
    if (first) {
      first = false;
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    }
    sc.startChunk();
    for (let i = 0; ; ) {
      const stop = sc.scan(chunk, i);
      if (stop < 0) break;
      take(chunk, sc.from, stop);
      const entry = flush(false);
      if (entry) yield entry;
      if (chunk[stop] === 0x2c) {
        sc.from = stop + 1;
        sc.startLine = sc.line;
      } else sc.closed = true;
      i = stop + 1;
    }
    if (!sc.closed && sc.kind !== undefined) take(chunk, sc.from, chunk.length);
  }
  if (sc.kind !== undefined && !sc.closed) {
    const entry = flush(true);
    if (entry) yield entry;
  }
  if (sc.trailing > 0) {
    if (select !== undefined && !select()) {
      yield { index: index + 1, textLine: sc.line, raw: "", bytes: sc.trailing, skipped: true };
      return;
    }
    yield {
      index: index + 1,
      textLine: sc.line,
      raw: "",
      bytes: sc.trailing,
      error: { field: "(file)", reason: "json.trailing", message: `${path} has ${sc.trailing} non-blank bytes after the closing ${sc.kind === "object" ? "}" : "]"}: remove them or split the file into separate JSON documents` },
    };
  }
}

// Where readJsonEntries is in the file between chunks: inside a string or not, nesting depth, line, and the member it
// is reading. scan() is the byte loop, kept out of the generator so that it is optimized early.
class MemberScanner {
  kind: "object" | "array" | undefined;
  /** Past the closing bracket: every further non-blank byte is trailing. */
  closed = false;
  line = 1;
  /** The line where the current member starts. */
  startLine = 1;
  trailing = 0;
  /** Start of the current member's bytes in this chunk not taken yet. */
  from = 0;
  /** Bytes of the current member taken so far. */
  size = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private backslash = -1; // the next backslash at or after the scan position (chunk.length: none), found once per stretch

  constructor(private readonly notJson: (line: number) => MedtuneError) {}

  /** Starts a new chunk. */
  startChunk(): void {
    this.from = 0;
    this.backslash = -1;
  }

  /** Scans chunk[i..] to the end of the current member: the index of the comma or bracket that ends it, or -1. */
  scan(chunk: Buffer, i: number): number {
    const n = chunk.length;
    for (; i < n; i++) {
      const c = chunk[i];
      if (c === 0x0a) this.line++;
      if (this.closed) {
        if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) this.trailing++;
        continue;
      }
      if (this.kind === undefined) {
        if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
        if (c === 0x7b) this.kind = "object";
        else if (c === 0x5b) this.kind = "array";
        else throw this.notJson(this.line);
        this.from = i + 1;
        this.startLine = this.line;
        continue;
      }
      if (this.inString) {
        if (this.escaped) {
          this.escaped = false;
          continue;
        }
        // Jump to the next quote or backslash (valid JSON strings hold no raw newlines, so no lines are missed).
        if (this.backslash < i) {
          this.backslash = chunk.indexOf(0x5c, i);
          if (this.backslash < 0) this.backslash = n;
        }
        let j = chunk.indexOf(0x22, i);
        if (j < 0 || j > this.backslash) j = this.backslash;
        if (j === n) i = n - 1;
        else {
          i = j;
          if (chunk[j] === 0x5c) this.escaped = true;
          else this.inString = false;
        }
        continue;
      }
      if (c === 0x22) {
        this.inString = true;
        if (this.size === 0 && i === this.from) this.startLine = this.line;
        continue;
      }
      if (c === 0x7b || c === 0x5b) {
        this.depth++;
        continue;
      }
      if (c === 0x7d || c === 0x5d) {
        if (this.depth === 0) return i;
        this.depth--;
        continue;
      }
      if (c === 0x2c && this.depth === 0) return i;
      if (this.size === 0 && i === this.from && (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09)) {
        this.from = i + 1;
        if (c === 0x0a) this.startLine = this.line;
      }
    }
    return -1;
  }
}
