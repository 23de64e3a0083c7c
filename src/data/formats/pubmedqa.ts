// PubMedQA adapter (Jin et al. 2019, github.com/pubmedqa/pubmedqa): a JSON object keyed by PMID, each entry with
// QUESTION, CONTEXTS[], LABELS[], MESHES[], YEAR, final_decision (yes/no/maybe), LONG_ANSWER. Reads ori_pqal.json,
// the official split files (pqal_test_set.json, test_set.json ...) and PQA-A/PQA-U (PQA-U is unlabelled: error
// records). When test_ground_truth.json sits beside a PQA-L file, each item's official split (test|trainval) is kept.
import { readFileSync, existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { MedtuneError } from "../../core/index.ts";
import type { QAItem } from "../schema.ts";
import type { Adapter, AdapterOptions, SourceRecord } from "./types.ts";
import { readJsonEntries } from "./json-entries.ts";
import { requireFile } from "./source-files.ts";
import { DEFAULT_MAX_RECORD_BYTES, RecordError, fileMetadata, isObject, makeId, mapRecords, optionalText, optionalTextList, requireText, typeName, type RawRecord } from "./record-fields.ts";

const NAME = "pubmedqa";
/** The official labels-only file of the PQA-L test split: {PMID: "yes"|"no"|"maybe"}. */
export const GROUND_TRUTH_FILE = "test_ground_truth.json";

/** PMIDs of the official test split when test_ground_truth.json sits beside `file` (PQA-L files only). */
function officialTestPmids(file: string): Set<string> | undefined {
  const name = basename(file).toLowerCase();
  if (name === GROUND_TRUTH_FILE || /pqa[au]/.test(name)) return undefined;
  const gt = join(dirname(file), GROUND_TRUTH_FILE);
  if (!existsSync(gt)) return undefined;
  try {
    const obj = JSON.parse(readFileSync(gt, "utf8")) as unknown;
    return isObject(obj) ? new Set(Object.keys(obj)) : undefined;
  } catch {
    throw new MedtuneError("data.parse", `${NAME}: ${gt} is not valid JSON`, { where: gt, hint: "restore the official test_ground_truth.json or remove it" });
  }
}

function mapPubmedqa(pmid: string, entry: unknown, file: string, opts: AdapterOptions, testPmids: Set<string> | undefined): QAItem {
  const source = opts.sourceName ?? NAME;
  if (!isObject(entry)) throw new RecordError("(record)", "record.type", `entry ${pmid} is ${typeName(entry)}, not a PubMedQA object with QUESTION and CONTEXTS: check that this is a PubMedQA data file`);
  const question = requireText(entry, "QUESTION", `entry ${pmid}`);
  const answer = optionalText(entry, "final_decision");
  if (answer === undefined) {
    throw new RecordError("final_decision", "field.missing", `entry ${pmid} has no final_decision (PQA-U is unlabelled): use a labelled file (PQA-L or PQA-A) for training and evaluation`);
  }
  const metadata: Record<string, unknown> = { ...fileMetadata(file), pmid };
  if (testPmids) metadata.split = testPmids.has(pmid) ? "test" : "trainval";
  const labels = optionalTextList(entry, "LABELS");
  if (labels !== undefined) metadata.labels = labels;
  const meshes = optionalTextList(entry, "MESHES");
  if (meshes !== undefined) metadata.meshes = meshes;
  const year = optionalText(entry, "YEAR");
  if (year !== undefined) metadata.year = year;
  const item: QAItem = { id: makeId(source, pmid), source, kind: "yesno", question, answer, metadata };
  const context = optionalTextList(entry, "CONTEXTS");
  if (context !== undefined) item.context = context;
  const longAnswer = optionalText(entry, "LONG_ANSWER");
  if (longAnswer !== undefined) item.explanation = longAnswer;
  if (opts.subject !== undefined) item.subject = opts.subject;
  return item;
}

async function* entries(path: string, opts: AdapterOptions): AsyncGenerator<RawRecord<{ pmid: string; entry: unknown }>> {
  // the first entry is always parsed (whatever select says): it tells whether this is a PubMedQA file at all
  let n = 0;
  const select = opts.select;
  const selectAfterFirst = select && (() => select() || n === 0);
  for await (const e of readJsonEntries(path, { maxRecordBytes: opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES, what: NAME, select: selectAfterFirst })) {
    n++;
    if (e.skipped) {
      yield { file: path, line: e.index, raw: "", bytes: e.bytes, skipped: true };
      continue;
    }
    if (e.key === undefined && !e.error) {
      throw new MedtuneError("data.format", `${NAME}: ${path} is a JSON array, but PubMedQA files are objects keyed by PMID`, { where: path, hint: "use ori_pqal.json / ori_pqaa.json style files, or the generic-jsonl adapter with a mapping" });
    }
    if (n === 1 && !e.error && typeof e.value === "string") {
      throw new MedtuneError("data.format", `${NAME}: ${path} maps PMIDs to labels only (like ${GROUND_TRUTH_FILE}); it holds no questions`, { where: path, hint: "read ori_pqal.json (or pqal_test_set.json) instead; the ground truth beside it is picked up automatically" });
    }
    if (e.error) yield { file: path, line: e.index, raw: e.raw, bytes: e.bytes, error: e.error };
    else yield { file: path, line: e.index, raw: e.raw, bytes: e.bytes, value: { pmid: e.key as string, entry: e.value } };
  }
}

/** PubMedQA JSON keyed by PMID (PQA-L, PQA-A, PQA-U; official split files). */
export const pubmedqa: Adapter = {
  name: NAME,
  description: "PubMedQA JSON keyed by PMID (ori_pqal.json, pqal_test_set.json, PQA-A/PQA-U): yes/no/maybe with contexts and long answer",
  reads: "file",
  async *read(path: string, opts: AdapterOptions): AsyncGenerator<SourceRecord> {
    requireFile(path, NAME);
    const testPmids = officialTestPmids(path);
    yield* mapRecords(entries(path, opts), (v, file) => mapPubmedqa(v.pmid, v.entry, file, opts, testPmids));
  },
};
