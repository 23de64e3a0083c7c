// Generic CSV adapter: any CSV (or .tsv, tab-separated) whose columns a FieldMapping names. With a header row (the
// default) columns are named by the header; with `header: false` by 0-based index ("0", "1", ...), as pandas does.
// Mapped columns missing from the header fail the whole file up front, since every row would fail.
import { basename } from "node:path";
import { MedtuneError } from "../../core/index.ts";
import type { Adapter, AdapterOptions, SourceRecord } from "./types.ts";
import { readCsvRows } from "./csv-rows.ts";
import { requireFile } from "./source-files.ts";
import { applyMapping, checkMapping, mappedFields } from "./field-mapping.ts";
import { DEFAULT_MAX_RECORD_BYTES, mapRecords, type RawRecord } from "./record-fields.ts";

const NAME = "generic-csv";

interface Row {
  cells: Map<string, string>;
}

async function* rows(path: string, opts: AdapterOptions, fields: string[]): AsyncGenerator<RawRecord<Row>> {
  requireFile(path, NAME);
  const hasHeader = opts.header ?? true;
  let header: string[] | undefined;
  for await (const r of readCsvRows(path, { maxRecordBytes: opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES, delimiter: path.toLowerCase().endsWith(".tsv") ? "\t" : "," })) {
    if (hasHeader && header === undefined) {
      if (!r.value) {
        throw new MedtuneError("data.csv-header", `${NAME}: the header row of ${path} cannot be read (${r.error?.message ?? "empty"})`, { where: `${path}:${r.line}`, hint: "fix the first row of the file" });
      }
      header = r.value.map((h) => h.trim());
      const missing = fields.filter((f) => !header!.includes(f));
      if (missing.length > 0) {
        throw new MedtuneError("data.mapping", `${NAME}: ${basename(path)} has no column ${missing.map((f) => `"${f}"`).join(", ")} (columns: ${header.join(", ")})`, { where: `${path}:${r.line}`, hint: "fix the mapping to use the header's names, or set header: false and map columns by 0-based index" });
      }
      const dup = fields.find((f) => header!.indexOf(f) !== header!.lastIndexOf(f));
      if (dup !== undefined) {
        throw new MedtuneError("data.csv-header", `${NAME}: column "${dup}" appears more than once in the header of ${basename(path)}`, { where: `${path}:${r.line}`, hint: "rename the duplicate columns" });
      }
      continue;
    }
    if (!r.value) {
      yield { file: r.file, line: r.line, raw: r.raw, bytes: r.bytes, error: r.error };
      continue;
    }
    const names = header ?? r.value.map((_, i) => String(i));
    if (header && r.value.length > header.length) {
      yield { file: r.file, line: r.line, raw: r.raw, bytes: r.bytes, error: { field: "(row)", reason: "record.columns", message: `the row at line ${r.line} has ${r.value.length} columns but the header has ${header.length}: check the row's quoting` } };
      continue;
    }
    const cells = new Map<string, string>();
    r.value.forEach((v, i) => cells.set(names[i], v));
    yield { file: r.file, line: r.line, raw: r.raw, bytes: r.bytes, value: { cells } };
  }
}

/** Any CSV with a field mapping. */
export const genericCsv: Adapter = {
  name: NAME,
  description: "any CSV file (header row by default) with a field mapping (options as a list of columns or a JSON column)",
  reads: "file",
  async *read(path: string, opts: AdapterOptions): AsyncGenerator<SourceRecord> {
    const m = checkMapping(opts.mapping, NAME);
    const source = opts.sourceName ?? NAME;
    const hasHeader = opts.header ?? true;
    yield* mapRecords(rows(path, opts, hasHeader ? mappedFields(m) : []), (row, file, line) =>
      applyMapping((f) => row.cells.get(f), m, { file, line, source, subject: opts.subject, isCsv: true }),
    );
  },
};
