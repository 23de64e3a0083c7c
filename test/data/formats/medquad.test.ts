// MedQuAD adapter: the XML fixture folder in the repository's layout (root, one source folder, one file), the
// DiseaseFile variant, broken documents, and the JSONL conversion.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { collect, countBy, tmpFile } from "./collect.ts";
import { tmpDir } from "../../helpers/tmp.ts";

const FIXTURE = resolve(import.meta.dirname, "../../fixtures/formats/medquad-xml");

test("MedQuAD XML root folder: every QA pair in natural folder order, entities decoded, empty answers kept", async () => {
  const { records, items, errors } = await collect("medquad", FIXTURE);
  assert.equal(errors.length, 0);
  assert.deepEqual(items.map((i) => i.id), [
    "medquad:1-0000001_1-1", "medquad:1-0000001_1-2",
    "medquad:1-0000013_2-1", "medquad:1-0000013_2-2", "medquad:1-0000013_2-1-2",
    "medquad:10-0000001-1", "medquad:10-0000001-3",
  ]);
  assert.deepEqual(records.map((r) => r.line), [1, 2, 1, 2, 3, 1, 2], "record number = QA pair index in its document");
  const first = items[0];
  assert.equal(first.kind, "open");
  assert.equal(first.question, "What is (are) Example Lymphoma ?");
  assert.ok(first.answer.startsWith("Key Points\n"));
  assert.match(first.answer, /medtune's tests/);
  assert.match(first.answer, /A "fixture" holds text & markup such as <b> as entities\.$/);
  assert.equal(first.subject, "information");
  assert.deepEqual(first.metadata, {
    file: "0000001_1.xml", collection: "1_CancerGov_QA", qid: "0000001_1-1", qtype: "information", focus: "Example Lymphoma",
    documentId: "0000001_1", documentSource: "CancerGov", url: "https://www.cancer.gov/types/example/patient/example-treatment-pdq", cuis: ["C0000001", "C0000002"],
  });
  const adam = items.filter((i) => i.metadata.collection === "10_MPlus_ADAM_QA");
  assert.deepEqual(adam.map((i) => i.answer), ["", ""], "removed MedlinePlus answers stay as empty answers for validation to report");
  assert.equal(adam[0].metadata.focusCategory, "Disease");
  assert.match(records[0].raw, /^<QAPair pid="1">/);
  assert.deepEqual(countBy(items, (i) => i.subject), { information: 4, treatment: 1, susceptibility: 1, symptoms: 1 });
});

test("MedQuAD XML: one source folder and one file read the same pairs", async () => {
  const folder = await collect("medquad", join(FIXTURE, "1_CancerGov_QA"));
  assert.equal(folder.items.length, 5);
  const one = await collect("medquad", join(FIXTURE, "1_CancerGov_QA", "0000013_2.xml"));
  assert.deepEqual(one.items.map((i) => i.id), ["medquad:1-0000013_2-1", "medquad:1-0000013_2-2", "medquad:1-0000013_2-1-2"]);
});

test("MedQuAD XML: DiseaseFile documents (CDC), CDATA, broken XML and invalid UTF-8", async () => {
  const dir = tmpDir();
  mkdirSync(join(dir, "9_CDC_QA"));
  writeFileSync(join(dir, "9_CDC_QA", "0000397.xml"), `<?xml version="1.0" encoding="UTF-8"?>
<DiseaseFile fid="0000397" source="CDC" url="http://www.cdc.gov/example/">
<Focus>Parasites - Example</Focus>
<UMLS>
<CUI></CUI>
<SemanticType></SemanticType>
<SemanticGroup></SemanticGroup>
</UMLS>
<QAPairs>
<QAPair pid="1">
<Question qid="0000397-1" qtype="information">What is (are) Parasites - Example ?</Question>
<Answer>Line one.
    
<![CDATA[Raw <i>text</i> & more]]> after</Answer>
</QAPair>
</QAPairs>
</DiseaseFile>
`);
  writeFileSync(join(dir, "9_CDC_QA", "0000398.xml"), `<?xml version="1.0"?><Document id="1"><QAPairs><QAPair pid="1"><Question qid="1-1">Q</Question></QAPairs></Document>`);
  writeFileSync(join(dir, "9_CDC_QA", "0000399.xml"), Buffer.concat([Buffer.from('<?xml version="1.0"?><Document id="2"><Focus>'), Buffer.from([0xff]), Buffer.from("</Focus></Document>")]));
  const { items, errors } = await collect("medquad", dir);
  assert.equal(items.length, 1);
  assert.equal(items[0].id, "medquad:9-0000397-1");
  assert.equal(items[0].metadata.documentId, "0000397", "DiseaseFile fid is the document id");
  assert.equal(items[0].metadata.cuis, undefined, "empty CUI elements give no CUIs");
  assert.equal(items[0].answer, "Line one.\n    \nRaw <i>text</i> & more after");
  assert.deepEqual(errors.map((e) => [e.file.endsWith("0000398.xml"), e.error!.field, e.error!.reason]), [[true, "(document)", "xml.parse"], [false, "(document)", "utf8.invalid"]]);
  assert.match(errors[0].error!.message, /line 1/);
});

test("MedQuAD JSONL: fields map to metadata; id, then qid, then position name the item; empty answers stay", async () => {
  const lines = [
    { id: "1-0000001_1-1", source: "1_CancerGov_QA", focus: "F", question: "What is F ?", qtype: "information", answer: "It is.", qid: "0000001_1-1", document_id: "0000001_1", document_source: "CancerGov", url: "https://x" },
    { source: "9_CDC_QA", focus: "G", question: "What is G ?", qtype: "treatment", answer: "", qid: "0000397-1", document_id: null, document_source: "CDC", url: "http://y" },
    { question: "What is H ?", answer: "H." },
    { question: "No answer ?" },
  ].map((o) => JSON.stringify(o));
  const { items, errors } = await collect("medquad", tmpFile("medquad.jsonl", lines.join("\n")));
  assert.deepEqual(items.map((i) => i.id), ["medquad:1-0000001_1-1", "medquad:0000397-1", "medquad:medquad.jsonl:3"]);
  assert.deepEqual(items[0].metadata, { file: "medquad.jsonl", collection: "1_CancerGov_QA", qid: "0000001_1-1", qtype: "information", focus: "F", documentId: "0000001_1", documentSource: "CancerGov", url: "https://x" });
  assert.equal(items[0].subject, "information");
  assert.equal(items[1].answer, "");
  assert.equal(items[1].metadata.documentId, undefined);
  assert.deepEqual(errors.map((e) => [e.line, e.error!.field, e.error!.reason]), [[4, "answer", "field.missing"]]);
});

test("MedQuAD: a folder without XML or JSONL files, and a missing path, throw naming the path", async () => {
  await assert.rejects(collect("medquad", tmpDir()), /no \.xml or \.jsonl or \.json files under/);
  await assert.rejects(collect("medquad", "/nonexistent/medquad"), /no such file or folder: \/nonexistent\/medquad/);
});
