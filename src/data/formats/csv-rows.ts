// Streams the rows of a CSV file with csv-parse (quoted fields, embedded newlines, CRLF), keeping each row's raw
// text, starting line and byte size. Bytes go through csv-parse as latin1 (a byte-exact mapping) and each field is
// then decoded as strict UTF-8, so invalid bytes are reported per row. Blank lines are not rows.
import { createReadStream } from "node:fs";
import { parse } from "csv-parse";
import { MAX_RAW_BYTES, type RawRecord } from "./record-fields.ts";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const lenientUtf8 = new TextDecoder("utf-8");

function latin1Bytes(s: string): Buffer {
  return Buffer.from(s, "latin1");
}

/** Line breaks in a raw row (CRLF, LF and lone CR each count once). */
function countBreaks(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x0a) n++;
    else if (c === 0x0d) {
      n++;
      if (s.charCodeAt(i + 1) === 0x0a) i++;
    }
  }
  return n;
}

function rawText(bytes: Buffer): string {
  return lenientUtf8.decode(bytes.subarray(0, MAX_RAW_BYTES)).replace(/\r?\n$|\r$/, "");
}

/** Reads the rows of a CSV file as lists of fields; `line` is the row's first line (1-based). */
export async function* readCsvRows(path: string, opts: { maxRecordBytes: number; delimiter?: string }): AsyncGenerator<RawRecord<string[]>> {
  const skipped: { afterRows: number; code: string; message: string; raw: string }[] = [];
  let rows = 0;
  const parser = createReadStream(path).pipe(
    parse({
      encoding: "latin1",
      raw: true,
      bom: true,
      delimiter: opts.delimiter ?? ",",
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: false,
      skip_records_with_error: true,
      on_skip: (err, raw) => {
        // err.records counts the rows pushed before the failing one, which orders this error among them.
        skipped.push({ afterRows: (err as unknown as { records?: number } | undefined)?.records ?? rows, code: err?.code ?? "CSV_ERROR", message: err?.message ?? "parse error", raw: typeof raw === "string" ? raw : "" });
      },
    }),
  );
  let line = 1;
  const drain = function* (upTo: number): Generator<RawRecord<string[]>> {
    while (skipped.length > 0 && skipped[0].afterRows <= upTo) {
      const s = skipped.shift()!;
      const bytes = latin1Bytes(s.raw);
      const reason = s.code === "CSV_QUOTE_NOT_CLOSED" ? "csv.quote-not-closed" : "csv.parse";
      const message =
        s.code === "CSV_QUOTE_NOT_CLOSED"
          ? `the row starting at line ${line} opens a quoted field that is never closed, so the rest of the file (${bytes.length} bytes) is one unfinished field: close or escape the quote ("")`
          : `the row starting at line ${line} cannot be parsed as CSV (${s.message}): fix its quoting`;
      yield { file: path, line, raw: rawText(bytes), bytes: bytes.length, error: { field: "(row)", reason, message } };
      line += countBreaks(s.raw);
    }
  };
  for await (const rec of parser as AsyncIterable<{ record: string[]; raw: string }>) {
    yield* drain(rows);
    rows++;
    const startLine = line;
    line += countBreaks(rec.raw);
    const fields = rec.record;
    if (fields.length === 1 && fields[0] === "" && /^(\r\n|\n|\r)?$/.test(rec.raw)) continue; // a blank line
    const bytes = latin1Bytes(rec.raw);
    let size = bytes.length;
    if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0a) size--;
    if (size > 0 && bytes[size - 1] === 0x0d) size--;
    const base = { file: path, line: startLine, bytes: size };
    if (size > opts.maxRecordBytes) {
      yield { ...base, raw: rawText(bytes), error: { field: "(row)", reason: "record.too-large", message: `the row at line ${startLine} is ${size} bytes, over the ${opts.maxRecordBytes}-byte record limit: shorten it or raise maxRecordBytes` } };
      continue;
    }
    const decoded: string[] = [];
    let bad = -1;
    for (let i = 0; i < fields.length; i++) {
      try {
        decoded.push(strictUtf8.decode(latin1Bytes(fields[i])));
      } catch {
        bad = i;
        break;
      }
    }
    if (bad >= 0) {
      yield { ...base, raw: rawText(bytes), error: { field: `column ${bad + 1}`, reason: "utf8.invalid", message: `column ${bad + 1} of the row at line ${startLine} holds bytes that are not valid UTF-8: re-encode the file as UTF-8` } };
      continue;
    }
    yield { ...base, raw: strictUtf8.decode(bytes.subarray(0, size)), value: decoded };
  }
  yield* drain(Number.POSITIVE_INFINITY);
}
