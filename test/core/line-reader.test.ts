// LineReader and readLines (src/core) against the plain reference reader (test/helpers/reference-lines.ts), line for
// line: numbers, offsets, byte lengths, text, blank lines, raw text of undecodable lines, on seeded files with CRLF,
// byte-order marks, invalid UTF-8, Unicode blanks, mixed ASCII and non-ASCII lines and lines that cross read
// boundaries; then lines over the size limit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { LineReader, Rng, readLines } from "../../src/core/index.ts";
import { referenceReadLines } from "../helpers/reference-lines.ts";
import { tmpDir } from "../helpers/tmp.ts";

function tmpFile(name: string, content: string | Buffer): string {
  const p = join(tmpDir("medtune-lines-"), name);
  writeFileSync(p, content);
  return p;
}

interface Seen {
  line: number;
  bytes: number;
  text?: string;
  blank: boolean;
  raw?: string;
}

async function viaLineReader(path: string, maxLineBytes: number, maxRawBytes: number, lineByLineAfter = Infinity): Promise<Seen[]> {
  const r = await LineReader.open(path, { maxLineBytes, maxRawBytes });
  const out: Seen[] = [];
  try {
    while (await r.fill()) {
      while (r.next()) {
        if (r.line > lineByLineAfter) r.lineByLine();
        const blank = r.isBlank();
        const text = r.text();
        out.push({ line: r.line, bytes: r.bytes, text, blank, raw: text === undefined ? r.raw() : undefined });
      }
    }
  } finally {
    await r.close();
  }
  return out;
}

async function viaReadLines(path: string, maxLineBytes: number, maxRawBytes: number, read = referenceReadLines): Promise<Seen[]> {
  const out: Seen[] = [];
  for await (const l of read(path, { maxLineBytes, maxRawBytes })) {
    const blank = l.text !== undefined && l.text.trim() === "";
    out.push({ line: l.line, bytes: l.bytes, text: l.text, blank, raw: l.text === undefined ? l.raw : undefined });
  }
  return out;
}

// Pieces of lines: JSON-ish ASCII, non-ASCII text, CR, byte-order marks, invalid UTF-8, Unicode blanks.
const PIECES: Array<string | number[]> = [
  '{"a":"x"}', "plain text ", "x".repeat(300), "é", "\u2019", "日本", "\u{1F600}", "\r", " ", "\t", "\u00a0", "\u3000", "\u2028",
  [0xef, 0xbb, 0xbf], [0xc3, 0x28], [0xff], [0xed, 0xa0, 0x80], [0xe2, 0x82], '\\"', "{", "}",
];

function seededFile(rng: Rng, nLines: number, longEvery: number): Buffer {
  const parts: Buffer[] = [];
  if (rng.int(2) === 0) parts.push(Buffer.from([0xef, 0xbb, 0xbf]));
  for (let i = 0; i < nLines; i++) {
    const k = rng.int(8);
    for (let j = 0; j < k; j++) {
      const p = PIECES[rng.int(PIECES.length)];
      parts.push(typeof p === "string" ? Buffer.from(p) : Buffer.from(p));
    }
    if (i % longEvery === longEvery - 1) parts.push(Buffer.from("y".repeat(20_000 + rng.int(2_000_000))));
    if (i < nLines - 1 || rng.int(2) === 0) parts.push(Buffer.from(rng.int(4) === 0 ? "\r\n" : "\n"));
  }
  return Buffer.concat(parts);
}

test("LineReader and readLines yield the reference's lines: numbers, offsets, byte lengths, text, blanks and raw text", async () => {
  const rng = new Rng("line-reader");
  for (let f = 0; f < 6; f++) {
    const path = tmpFile(`f${f}.jsonl`, seededFile(rng, 400 + rng.int(3000), 150));
    const expected = await viaReadLines(path, 16 * 1024 * 1024, 1024 * 1024);
    assert.ok(expected.length >= 400);
    for (const after of [Infinity, 0, 200]) {
      const actual = await viaLineReader(path, 16 * 1024 * 1024, 1024 * 1024, after);
      assert.equal(actual.length, expected.length, `file ${f}: line count`);
      for (let i = 0; i < expected.length; i++) assert.deepEqual(actual[i], expected[i], `file ${f}, line ${i + 1}, line by line after ${after}`);
    }
    assert.deepEqual(await viaReadLines(path, 16 * 1024 * 1024, 1024 * 1024, readLines), expected, `file ${f}: readLines`);
    for (const stripBom of [true, false]) {
      const ref: unknown[] = [];
      for await (const l of referenceReadLines(path, { stripBom })) ref.push(l);
      const got: unknown[] = [];
      for await (const l of readLines(path, { stripBom })) got.push(l);
      assert.deepEqual(got, ref, `file ${f}: readLines records (offsets, errors) with stripBom ${stripBom}`);
    }
  }
});

test("lines over the limit: no text, their full byte length, raw cut at maxRawBytes, and the lines after them intact", async () => {
  const big = "z".repeat(3 * 1024 * 1024);
  const content = `{"a":1}\n${big}\r\n{"b":"é"}\n${"w".repeat(5000)}\n  \n${big}`;
  const path = tmpFile("long.jsonl", content);
  const seen = await viaLineReader(path, 4096, 1000);
  assert.deepEqual(seen.map((s) => [s.line, s.bytes, s.text === undefined, s.blank]), [
    [1, 7, false, false], [2, big.length + 1, true, false], [3, Buffer.byteLength('{"b":"é"}'), false, false], [4, 5000, true, false], [5, 2, false, true], [6, big.length, true, false],
  ]);
  assert.equal(seen[2].text, '{"b":"é"}');
  for (const i of [1, 3, 5]) assert.equal(seen[i].raw, content[content.indexOf(i === 3 ? "w" : "z")].repeat(1000), `line ${i + 1} keeps its first 1000 bytes`);
  // below the read buffer, a line over the limit is reported the same way
  const expected = await viaReadLines(path, 4096, 1000);
  assert.deepEqual(seen.map((s) => [s.line, s.bytes, s.text]), expected.map((s) => [s.line, s.bytes, s.text]));
});
