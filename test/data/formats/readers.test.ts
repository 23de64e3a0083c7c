// The record readers under every adapter: JSONL (via LineReader), whole-file JSON objects/arrays streamed entry
// by entry, and CSV rows; each bad record becomes one located error with its raw text, nothing is lost.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readJsonRecords } from "../../../src/data/formats/json-records.ts";
import { readJsonEntries } from "../../../src/data/formats/json-entries.ts";
import { readCsvRows } from "../../../src/data/formats/csv-rows.ts";
import type { QAItem } from "../../../src/data/schema.ts";
import { tmpFile } from "./collect.ts";

// readJsonRecords maps each object it parses; this map keeps the object itself, so the tests see what was parsed.
const asParsed = (obj: Record<string, unknown>) => obj as unknown as QAItem;

async function all<T>(g: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of g) out.push(x);
  return out;
}

test("JSONL: broken JSON, invalid UTF-8, non-object and over-size lines become located errors; blank lines are skipped", async () => {
  const big = `{"q":"${"x".repeat(10 * 1024 * 1024)}"}`;
  const content = Buffer.concat([
    Buffer.from('{"a":1}\r\n'), // 1, CRLF
    Buffer.from('{"a":2,\n'), // 2 broken
    Buffer.from("\n"), // 3 blank
    Buffer.from('{"a":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n'), // 4 invalid UTF-8
    Buffer.from("[1,2]\n"), // 5 not an object
    Buffer.from(big + "\n"), // 6 10 MB line
    Buffer.from('{"a":3}'), // 7 no trailing newline
  ]);
  const recs = await all(readJsonRecords(tmpFile("x.jsonl", content), {}, "test", asParsed));
  assert.deepEqual(recs.map((r) => [r.line, r.error?.reason ?? "ok"]), [
    [1, "ok"], [2, "json.parse"], [4, "utf8.invalid"], [5, "json.not-object"], [6, "record.too-large"], [7, "ok"],
  ]);
  assert.deepEqual(recs[0].item, { a: 1 });
  assert.equal(recs[1].raw, '{"a":2,');
  assert.match(recs[2].raw, /\uFFFD/);
  assert.equal(recs[4].bytes, Buffer.byteLength(big));
  assert.equal(recs[4].raw.length, 1024 * 1024, "raw of a giant line is kept, cut to 1 MiB");
  assert.match(recs[4].error!.message, /over the 1048576-byte record limit/);
  assert.deepEqual(recs[5].item, { a: 3 });
});

test("JSONL: maxRecordBytes is respected; an empty file yields nothing; a missing file throws naming the path", async () => {
  const p = tmpFile("y.jsonl", '{"a":"short"}\n{"a":"' + "y".repeat(200) + '"}\n');
  const recs = await all(readJsonRecords(p, { maxRecordBytes: 100 }, "test", asParsed));
  assert.deepEqual(recs.map((r) => r.error?.reason ?? "ok"), ["ok", "record.too-large"]);
  assert.deepEqual(await all(readJsonRecords(tmpFile("empty.jsonl", ""), {}, "test", asParsed)), []);
  await assert.rejects(all(readJsonRecords("/nonexistent/file.jsonl", {}, "test", asParsed)), (e: Error) => e.name === "MedtuneError" && /nonexistent\/file\.jsonl/.test(e.message));
});

test("JSON array files are read element by element (record number = element index)", async () => {
  const p = tmpFile("arr.json", '\uFEFF[\n  {"a": "x, [y]"},\n  {"a": "q\\"}"},\n  3,\n  {"a": }\n]');
  const recs = await all(readJsonRecords(p, {}, "test", asParsed));
  assert.deepEqual(recs.map((r) => [r.line, r.error?.reason ?? "ok"]), [[1, "ok"], [2, "ok"], [3, "json.not-object"], [4, "json.parse"]]);
  assert.deepEqual(recs[0].item, { a: "x, [y]" });
  assert.deepEqual(recs[1].item, { a: 'q"}' });
});

test("JSON object entries: keys, text lines, truncation, trailing bytes, invalid UTF-8 and size limit", async () => {
  const content = Buffer.concat([
    Buffer.from('{\n "1": {"t": "a,b}"},\n "2": {"t": broken},\n "3": {"t": "'),
    Buffer.from([0xff]),
    Buffer.from('"},\n "4": {"t": "' + "z".repeat(300) + '"},\n "5": {"t": "ok"}\n}\n  x'),
  ]);
  const recs = await all(readJsonEntries(tmpFile("o.json", content), { maxRecordBytes: 200, what: "test" }));
  assert.deepEqual(recs.map((r) => [r.index, r.key, r.error?.reason ?? "ok"]), [
    [1, "1", "ok"], [2, "2", "json.parse"], [3, undefined, "utf8.invalid"], [4, "4", "record.too-large"], [5, "5", "ok"], [6, undefined, "json.trailing"],
  ]);
  assert.deepEqual(recs.map((r) => r.textLine).slice(0, 5), [2, 3, 4, 5, 6]);
  assert.deepEqual(recs[0].value, { t: "a,b}" });
  const cut = await all(readJsonEntries(tmpFile("cut.json", '{"1": {"t": 1}, "2": {"t": '), { maxRecordBytes: 1000, what: "test" }));
  assert.deepEqual(cut.map((r) => r.error?.reason ?? "ok"), ["ok", "json.truncated"]);
  await assert.rejects(all(readJsonEntries(tmpFile("bad.json", "hello"), { maxRecordBytes: 1000, what: "test" })), /does not start with a JSON/);
  assert.deepEqual(await all(readJsonEntries(tmpFile("blank.json", "  \n"), { maxRecordBytes: 1000, what: "test" })), []);
});

test("JSON object entries with select: turned-down members are placeholders, neither decoded nor parsed", async () => {
  const content = Buffer.concat([Buffer.from('{"1": {"t": 1}, "2": {"t": broken}, "3": {"t": "'), Buffer.from([0xff]), Buffer.from('"}, "4": {"t": 4}} x')]);
  const path = tmpFile("s.json", content);
  let calls = 0;
  const recs = await all(readJsonEntries(path, { maxRecordBytes: 1000, what: "test", select: () => calls++ % 2 === 0 }));
  assert.equal(calls, 5, "one call per member and one for the trailing bytes");
  assert.deepEqual(recs.map((r) => [r.index, r.skipped ?? false, r.error?.reason ?? "ok"]), [[1, false, "ok"], [2, true, "ok"], [3, false, "utf8.invalid"], [4, true, "ok"], [5, false, "json.trailing"]]);
  const plain = await all(readJsonEntries(path, { maxRecordBytes: 1000, what: "test" }));
  assert.deepEqual(recs.map((r) => [r.index, r.bytes]), plain.map((r) => [r.index, r.bytes]), "same members, same numbers and sizes");
  for (const r of recs.filter((x) => x.skipped)) assert.ok(r.value === undefined && r.key === undefined && r.raw === "");
});

test("JSON object entries spanning stream chunks parse intact", async () => {
  const entries: Record<string, { s: string }> = {};
  for (let i = 0; i < 300; i++) entries[String(10000 + i)] = { s: `é"\\,{[`.repeat(1000) + i };
  const recs = await all(readJsonEntries(tmpFile("big.json", JSON.stringify(entries, null, 2)), { maxRecordBytes: 1 << 20, what: "test" }));
  assert.equal(recs.length, 300);
  assert.ok(recs.every((r, i) => !r.error && r.key === String(10000 + i) && (r.value as { s: string }).s === entries[String(10000 + i)].s));
});

test("CSV rows: CRLF, embedded newlines and quotes, BOM, blank lines; each row keeps its first line", async () => {
  const csv = '\uFEFFq1,a,b\r\n"multi\r\nline ""quoted""",c,d\r\n\r\n"x\ny",e,f\r\nlast,g,h';
  const rows = await all(readCsvRows(tmpFile("r.csv", csv), { maxRecordBytes: 1 << 20 }));
  assert.deepEqual(rows.map((r) => [r.line, r.value]), [
    [1, ["q1", "a", "b"]],
    [2, ['multi\r\nline "quoted"', "c", "d"]],
    [5, ["x\ny", "e", "f"]],
    [7, ["last", "g", "h"]],
  ]);
  assert.equal(rows[1].raw, '"multi\r\nline ""quoted""",c,d');
});

test("CSV rows: invalid UTF-8, over-size rows and an unclosed quote become located errors", async () => {
  const content = Buffer.concat([
    Buffer.from("ok,1\n"),
    Buffer.from("bad"), Buffer.from([0xe2, 0x28, 0xa1]), Buffer.from(",2\n"),
    Buffer.from("big," + "w".repeat(500) + "\n"),
    Buffer.from("fine,3\n"),
    Buffer.from('"never closed,4\nmore,5\n'),
  ]);
  const rows = await all(readCsvRows(tmpFile("e.csv", content), { maxRecordBytes: 100 }));
  assert.deepEqual(rows.map((r) => [r.line, r.error?.reason ?? "ok"]), [[1, "ok"], [2, "utf8.invalid"], [3, "record.too-large"], [4, "ok"], [5, "csv.quote-not-closed"]]);
  assert.equal(rows[1].error!.field, "column 1");
  assert.match(rows[4].raw, /never closed,4\nmore,5/);
  assert.deepEqual(await all(readCsvRows(tmpFile("empty.csv", ""), { maxRecordBytes: 100 })), []);
});

test("select: called once per record in order; turned-down records come back as unparsed placeholders", async () => {
  const { collect } = await import("./collect.ts");
  const lines = ['{"id":"a","question":"Q1?","options":{"A":"x","B":"y"},"answer_idx":"A"}', "", '{"broken', "   ", '{"id":"c","question":"Q3?","options":{"A":"x","B":"y"},"answer_idx":"B"}', "[1]"];
  for (const [name, content] of [["x.jsonl", lines.join("\n")], ["x.json", `[${[lines[0], '{"id":"b"}', lines[4], "[1]"].join(",\n")}]`]] as const) {
    const path = tmpFile(name, content);
    let calls = 0;
    const select = () => calls++ % 2 === 1; // every second record
    const raw = await all(readJsonRecords(path, { select }, "test", asParsed));
    assert.equal(calls, raw.length, "one call per record");
    assert.deepEqual(raw.map((r) => Boolean(r.skipped)), raw.map((_, i) => i % 2 === 0));
    for (const r of raw.filter((x) => x.skipped)) assert.ok(r.item === undefined && r.error === undefined && r.raw === "");
    const plain = await all(readJsonRecords(path, {}, "test", asParsed));
    assert.deepEqual(raw.map((r) => r.line), plain.map((r) => r.line), "same records, same numbers");
    assert.deepEqual(raw.filter((r) => !r.skipped), plain.filter((_, i) => i % 2 === 1));
    calls = 0;
    const mapped = await collect("medqa", path, { select });
    assert.deepEqual(mapped.records.map((r) => Boolean(r.skipped)), raw.map((r) => Boolean(r.skipped)), "adapters pass placeholders through unmapped");
  }
});
