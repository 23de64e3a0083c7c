// MMLU adapter: header-less CSV with CRLF and embedded newlines, subject/split from file names, folder trees,
// and the row problems (missing column, bad answer letter) as error records.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { collect, tmpFile } from "./collect.ts";
import { tmpDir } from "../../helpers/tmp.ts";
import { mmluFileInfo } from "../../../src/data/formats/mmlu.ts";

test("MMLU: CRLF rows with embedded newlines and quotes parse into items at their first line", async () => {
  const csv = [
    'Which bone?,Femur,Tibia,"Ulna, distal",Radius,C',
    '"A patient says:\r\n""it hurts"".\r\nWhat now?",Rest,Ice,Compress,Elevate,D',
    "Last question?,w,x,y,z,A",
  ].join("\r\n") + "\r\n";
  const { records, items, errors } = await collect("mmlu", tmpFile("anatomy_test.csv", csv));
  assert.equal(errors.length, 0);
  assert.deepEqual(records.map((r) => r.line), [1, 2, 5]);
  assert.deepEqual(items[0], {
    id: "mmlu:anatomy_test.csv:1", source: "mmlu", kind: "mcq", question: "Which bone?",
    options: [{ label: "A", text: "Femur" }, { label: "B", text: "Tibia" }, { label: "C", text: "Ulna, distal" }, { label: "D", text: "Radius" }],
    answer: "C", subject: "anatomy", metadata: { file: "anatomy_test.csv", split: "test" },
  });
  assert.equal(items[1].question, 'A patient says:\r\n"it hurts".\r\nWhat now?');
  assert.equal(items[2].id, "mmlu:anatomy_test.csv:5");
});

test("MMLU: a missing column, an extra column, a bad answer letter and invalid UTF-8 are error records", async () => {
  const content = Buffer.concat([
    Buffer.from("Q1?,a,b,c,d,B\n"),
    Buffer.from("Q2?,a,b,c,d\n"),
    Buffer.from("Q3?,a,b,c,d,E\n"),
    Buffer.from("Q4?,a,b,c,d,A,extra\n"),
    Buffer.from("Q5?,a,"), Buffer.from([0xc0, 0xaf]), Buffer.from(",c,d,A\n"),
  ]);
  const { items, errors } = await collect("mmlu", tmpFile("virology_dev.csv", content));
  assert.deepEqual(items.map((i) => i.question), ["Q1?"]);
  assert.deepEqual(errors.map((e) => [e.line, e.error!.field, e.error!.reason]), [
    [2, "answer", "field.missing"], [3, "answer", "answer.out-of-range"], [4, "(row)", "record.columns"], [5, "column 3", "utf8.invalid"],
  ]);
});

test("MMLU: a folder tree is read recursively in order; a header row is recognised; the subject option overrides", async () => {
  const dir = tmpDir();
  mkdirSync(join(dir, "dev"));
  mkdirSync(join(dir, "val"));
  writeFileSync(join(dir, "dev", "college_medicine_dev.csv"), "Q?,a,b,c,d,A\n");
  writeFileSync(join(dir, "val", "college_medicine_val.csv"), "question,A,B,C,D,answer\nQ1?,a,b,c,d,B\nQ2?,a,b,c,d,D\n");
  writeFileSync(join(dir, "val", "notes.txt"), "not a csv");
  const { records, items } = await collect("mmlu", dir);
  assert.equal(records.length, 3);
  assert.deepEqual(items.map((i) => [i.subject, i.metadata.split, i.answer]), [["college_medicine", "dev", "A"], ["college_medicine", "val", "B"], ["college_medicine", "val", "D"]]);
  assert.equal(items[1].id, "mmlu:college_medicine_val.csv:2");
  const renamed = await collect("mmlu", join(dir, "dev"), { subject: "medicine" });
  assert.equal(renamed.items[0].subject, "medicine");
  assert.deepEqual(mmluFileInfo("/x/high_school_biology_test.csv"), { subject: "high_school_biology", split: "test" });
  assert.deepEqual(mmluFileInfo("mine.csv"), { subject: "mine" });
});
