// The plain reference line reader the tests hold core's LineReader and readLines to: the straightforward streaming
// splitter (1 MiB reads, a Buffer per line, TextDecoder in fatal mode) that core used before its faster reader.
import { open } from "node:fs/promises";
import type { Line, ReadLinesOptions } from "../../src/core/index.ts";

const READ_BYTES = 1 << 20;
const strict = new TextDecoder("utf-8", { fatal: true });
const lenient = new TextDecoder("utf-8");

/** Reads a file line by line (LF or CRLF), decoding UTF-8 strictly: the reference of core's readLines. */
export async function* referenceReadLines(path: string, opts: ReadLinesOptions = {}): AsyncGenerator<Line> {
  const maxLine = opts.maxLineBytes ?? 16 * 1024 * 1024;
  const maxRaw = opts.maxRawBytes ?? 1024 * 1024;
  let parts: Buffer[] = [];
  let partBytes = 0;
  let lineNo = 0;
  let offset = 0;
  let first = true;
  const emit = (buf: Buffer, len: number): Line => {
    lineNo++;
    const start = offset;
    offset += len + 1;
    let end = buf.length;
    if (end > 0 && buf[end - 1] === 0x0d) end--;
    const body = buf.subarray(0, end);
    if (len > maxLine) {
      return { line: lineNo, offset: start, bytes: len, error: `line is ${len} bytes, over the ${maxLine}-byte limit`, raw: lenient.decode(body.subarray(0, maxRaw)) };
    }
    try {
      return { line: lineNo, offset: start, bytes: len, text: strict.decode(body) };
    } catch {
      return { line: lineNo, offset: start, bytes: len, error: "invalid UTF-8", raw: lenient.decode(body.subarray(0, maxRaw)) };
    }
  };
  const file = await open(path, "r");
  // one read buffer for the whole file: every line is decoded (copied) before the next read overwrites it
  const readBuf = Buffer.allocUnsafe(READ_BYTES);
  try {
    for (;;) {
      const { bytesRead } = await file.read(readBuf, 0, READ_BYTES, null);
      if (bytesRead === 0) break;
      let chunk = readBuf.subarray(0, bytesRead);
      if (first) {
        first = false;
        if ((opts.stripBom ?? true) && chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
          chunk = chunk.subarray(3);
          offset = 3;
        }
      }
      let pos = 0;
      for (;;) {
        const nl = chunk.indexOf(0x0a, pos);
        if (nl < 0) break;
        const piece = chunk.subarray(pos, nl);
        if (parts.length === 0) {
          yield emit(piece, piece.length);
        } else {
          const total = partBytes + piece.length;
          // Keep at most maxLine+1 bytes of an over-long line in memory; the rest is only counted.
          if (partBytes <= maxLine) parts.push(piece.subarray(0, Math.max(0, maxLine + 1 - partBytes)));
          yield emit(Buffer.concat(parts), total);
          parts = [];
          partBytes = 0;
        }
        pos = nl + 1;
      }
      if (pos < chunk.length) {
        const rest = chunk.subarray(pos);
        if (partBytes <= maxLine) parts.push(Buffer.from(rest.subarray(0, Math.max(0, maxLine + 1 - partBytes))));
        partBytes += rest.length;
      }
    }
  } finally {
    await file.close();
  }
  if (partBytes > 0) yield emit(Buffer.concat(parts), partBytes);
}
