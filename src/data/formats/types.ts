// The adapter seam: one file per source format turns the records of a file or folder into canonical QAItems,
// or into a located error, keeping the raw text so a rejected record can be quarantined without loss.
import type { QAItem } from "../schema.ts";

/** One record read from a source: a mapped item, or the reason it could not be mapped. */
export interface SourceRecord {
  /** Path of the file the record came from. */
  file: string;
  /** 1-based line (JSONL/CSV) or 1-based record number (JSON object entries, XML QA pairs). */
  line: number;
  /** The item, when the adapter could map the record (semantic checks come later, in validate). */
  item?: QAItem;
  /** Why the record could not be mapped: the field at fault and a sentence saying what to do. */
  error?: { field: string; reason: string; message: string };
  /** The original record text, for quarantine. */
  raw: string;
  /** Byte size of the original record when known. */
  bytes?: number;
  /** A placeholder for a record that AdapterOptions.select turned down: only `file` and `line` mean anything. */
  skipped?: boolean;
}

/** Field mapping for the generic JSONL/CSV adapters (source field names; dotted paths allowed). */
export interface FieldMapping {
  id?: string;
  question: string;
  /** A field holding an array or {label: text} object, or a list of fields, one per option. */
  options?: string | string[];
  answer: string;
  /** How `answer` names the gold option: its label (A..), 0- or 1-based index, or its text. Default: label. */
  answerFormat?: "label" | "index0" | "index1" | "text";
  context?: string;
  explanation?: string;
  subject?: string;
  /** Item kind; inferred when absent (options -> mcq, yes/no/maybe answer -> yesno, else open). */
  kind?: "mcq" | "yesno" | "open";
}

/** Options every adapter accepts. */
export interface AdapterOptions {
  /** Name written to QAItem.source and prefixed to ids (default: the adapter's name). */
  sourceName?: string;
  /** Generic adapters: how source fields map to the QAItem. */
  mapping?: FieldMapping;
  /** Records larger than this many bytes are reported instead of parsed (default 1 MiB). */
  maxRecordBytes?: number;
  /** CSV adapters: whether the first row is a header (generic CSV default true; MMLU false). */
  header?: boolean;
  /** Subject to set when the format has none in its records (e.g. MMLU takes it from the file name). */
  subject?: string;
  /**
   * For readers that share a source between threads: called exactly once per record, in record order, before the
   * record is parsed; a record it answers false for may come back as a `skipped` placeholder, unparsed. Adapters
   * that do not use it map every record.
   */
  select?: () => boolean;
}

/** A dataset adapter: reads a file (or folder) and yields one SourceRecord per source record, in file order. */
export interface Adapter {
  /** Registry key, e.g. `medqa`. */
  name: string;
  /** One line for `--help` and errors. */
  description: string;
  /** Whether the path is a folder this adapter reads (MedQuAD XML, MMLU CSV folders) or a file. */
  reads: "file" | "folder" | "file-or-folder";
  read(path: string, opts: AdapterOptions): AsyncGenerator<SourceRecord>;
}
