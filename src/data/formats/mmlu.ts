// MMLU adapter (Hendrycks et al. 2021, github.com/hendrycks/test): header-less CSV rows `question, A, B, C, D,
// answer letter`, one file per subject and split (`data/{dev,val,test}/<subject>_<split>.csv`). Reads one CSV or a
// folder tree of them; subject and split come from the file name. A first row `question,A,B,C,D,answer` (some
// re-exports add it) is taken as a header.
import { basename } from "node:path";
import type { QAItem } from "../schema.ts";
import type { Adapter, AdapterOptions, SourceRecord } from "./types.ts";
import { readCsvRows } from "./csv-rows.ts";
import { listFiles } from "./source-files.ts";
import { goldByKey, labelOptions } from "./mcq-options.ts";
import { DEFAULT_MAX_RECORD_BYTES, RecordError, makeId, mapRecords, positionId, type RawRecord } from "./record-fields.ts";

const NAME = "mmlu";
const COLUMNS = ["question", "A", "B", "C", "D", "answer"];

/** Subject and split from an MMLU file name (`college_medicine_val.csv` -> college_medicine, val). */
export function mmluFileInfo(file: string): { subject: string; split?: string } {
  const stem = basename(file).replace(/\.csv$/i, "");
  const m = /^(.+)_(dev|val|test|train|auxiliary_train)$/.exec(stem);
  return m ? { subject: m[1], split: m[2] } : { subject: stem };
}

function mapMmlu(fields: string[], file: string, line: number, opts: AdapterOptions): QAItem {
  const source = opts.sourceName ?? NAME;
  if (fields.length < COLUMNS.length) {
    const missing = COLUMNS[fields.length];
    throw new RecordError(missing, "field.missing", `the row has ${fields.length} columns, expected 6 (question, A, B, C, D, answer): column "${missing}" is missing; check the quoting of the row`);
  }
  if (fields.length > COLUMNS.length) {
    throw new RecordError("(row)", "record.columns", `the row has ${fields.length} columns, expected 6 (question, A, B, C, D, answer): check the quoting of the row`);
  }
  const src = labelOptions(fields.slice(1, 5), ["A", "B", "C", "D"], "options");
  const answer = goldByKey(src, fields[5], "answer");
  const info = mmluFileInfo(file);
  const metadata: Record<string, unknown> = { file: basename(file) };
  if (info.split !== undefined) metadata.split = info.split;
  return { id: makeId(source, positionId(file, line)), source, kind: "mcq", question: fields[0], options: src.options, answer, subject: opts.subject ?? info.subject, metadata };
}

function isHeader(fields: string[]): boolean {
  return fields.length === COLUMNS.length && fields.every((f, i) => f.trim().toLowerCase() === COLUMNS[i].toLowerCase());
}

async function* rows(path: string, opts: AdapterOptions): AsyncGenerator<RawRecord<string[]>> {
  for (const file of listFiles(path, [".csv"], NAME)) {
    let first = true;
    for await (const r of readCsvRows(file, { maxRecordBytes: opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES })) {
      const wasFirst = first;
      first = false;
      if (wasFirst && r.value && (opts.header === true || (opts.header === undefined && isHeader(r.value)))) continue;
      yield r;
    }
  }
}

/** MMLU CSV (header-less), one file or a folder of `<subject>_<split>.csv`. */
export const mmlu: Adapter = {
  name: NAME,
  description: "MMLU CSV without header (question, A, B, C, D, answer); a file or a folder tree of <subject>_<split>.csv",
  reads: "file-or-folder",
  read(path: string, opts: AdapterOptions): AsyncGenerator<SourceRecord> {
    return mapRecords(rows(path, opts), (fields, file, line) => mapMmlu(fields, file, line, opts));
  },
};
