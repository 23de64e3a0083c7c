// The streaming line reader: CRLF, BOM, invalid UTF-8, over-long lines, chunk boundaries and a missing final newline.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { readLines, type Line } from "../../src/core/index.ts";
import { tmpDir } from "../helpers/tmp.ts";

async function all(path: string, opts = {}): Promise<Line[]> {
  const out: Line[] = [];
  for await (const l of readLines(path, opts)) out.push(l);
  return out;
}

test("lines keep numbers and offsets across CRLF, a BOM and no final newline", async () => {
  const p = join(tmpDir(), "a.jsonl");
  writeFileSync(p, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("one\r\ntwo\n\nfour")]));
  const lines = await all(p);
  assert.deepEqual(lines.map((l) => [l.line, l.text]), [[1, "one"], [2, "two"], [3, ""], [4, "four"]]);
  assert.equal(lines[1].offset, 3 + 5);
});

test("invalid UTF-8 is reported on its line, with the raw text kept", async () => {
  const p = join(tmpDir(), "b.jsonl");
  writeFileSync(p, Buffer.concat([Buffer.from("ok\n"), Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), Buffer.from("\nok2\n")]));
  const lines = await all(p);
  assert.equal(lines.length, 3);
  assert.equal(lines[1].error, "invalid UTF-8");
  assert.equal(lines[1].raw, "{\uFFFD\uFFFD}");
  assert.equal(lines[2].text, "ok2");
});

test("an over-long line is reported with its size and does not break the next lines", async () => {
  const p = join(tmpDir(), "c.jsonl");
  const big = "x".repeat(3 * 1024 * 1024);
  writeFileSync(p, `a\n${big}\nb\n`);
  const lines = await all(p, { maxLineBytes: 1024 * 1024, maxRawBytes: 100 });
  assert.deepEqual(lines.map((l) => l.line), [1, 2, 3]);
  assert.match(lines[1].error ?? "", /3145728 bytes, over the 1048576-byte limit/);
  assert.equal(lines[1].raw?.length, 100);
  assert.equal(lines[2].text, "b");
});

test("multi-byte characters split across read chunks decode intact", async () => {
  const p = join(tmpDir(), "d.jsonl");
  const s = "é".repeat(700_000); // 1.4 MB, crosses the 1 MiB chunk boundary
  writeFileSync(p, `${s}\nz\n`);
  const lines = await all(p);
  assert.equal(lines[0].text, s);
  assert.equal(lines[1].text, "z");
});
