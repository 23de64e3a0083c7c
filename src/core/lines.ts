// Lines of a file as records: each with its 1-based number, byte offset, strict UTF-8 text or the reason it has none
// (invalid UTF-8, over the size limit) and its raw bytes decoded leniently, so a broken line becomes a reported record
// instead of a crash, and a huge file never sits in memory. A generator over LineReader (line-reader.ts).
import { LineReader } from "./line-reader.ts";

/** One line of a file; `text` is absent when the line could not be decoded or was too long. */
export interface Line {
  /** 1-based line number. */
  line: number;
  /** Byte offset of the line's start in the file. */
  offset: number;
  /** Length of the line in bytes (without the newline). */
  bytes: number;
  text?: string;
  /** Why `text` is missing: invalid UTF-8 or the size limit. */
  error?: string;
  /** The raw bytes decoded leniently (U+FFFD for invalid bytes), kept so nothing is lost; cut at `maxRawBytes`. */
  raw?: string;
}

export interface ReadLinesOptions {
  /** Lines longer than this (bytes) are reported instead of decoded (default 16 MiB). */
  maxLineBytes?: number;
  /** How much of an over-long line is kept in `raw` (default 1 MiB). */
  maxRawBytes?: number;
  /** Strip a UTF-8 byte-order mark at the start of the file (default true). */
  stripBom?: boolean;
}

/** Reads a file line by line (LF or CRLF), decoding UTF-8 strictly. */
export async function* readLines(path: string, opts: ReadLinesOptions = {}): AsyncGenerator<Line> {
  const maxLine = opts.maxLineBytes ?? 16 * 1024 * 1024;
  const maxRaw = opts.maxRawBytes ?? 1024 * 1024;
  const r = await LineReader.open(path, { maxLineBytes: maxLine, maxRawBytes: maxRaw, stripBom: opts.stripBom ?? true });
  try {
    let offset = -1;
    while (await r.fill()) {
      while (r.next()) {
        if (offset < 0) offset = r.bomBytes;
        const text = r.text();
        const at = { line: r.line, offset, bytes: r.bytes };
        offset += r.bytes + 1;
        if (text !== undefined) yield { ...at, text };
        else yield { ...at, error: r.bytes > maxLine ? `line is ${r.bytes} bytes, over the ${maxLine}-byte limit` : "invalid UTF-8", raw: r.raw() };
      }
    }
  } finally {
    await r.close();
  }
}
