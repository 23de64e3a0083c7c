// Atomic writes: AtomicWriter's file appears only on close, holds exactly what was queued (text, bytes and lines,
// long ones too) in order, and its running SHA-256 equals the file's; abort leaves nothing behind.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { AtomicWriter, sha256File } from "../../src/core/index.ts";
import { tmpDir } from "../helpers/tmp.ts";

test("queued text, bytes and JSON lines land in order; the running SHA-256 and byte count match the file", async () => {
  const dir = tmpDir();
  const path = join(dir, "out.jsonl");
  const w = new AtomicWriter(path, { sha256: true });
  const expected: string[] = [];
  const long = "é".repeat(400_000); // 800 kB: longer than one queue chunk
  for (let i = 0; i < 2000; i++) {
    const v = { i, text: i % 500 === 7 ? long : `line ${i} – naïve ✓` };
    if (i % 3 === 0) w.writeLine(v);
    else if (i % 3 === 1) w.writeBytes(Buffer.from(JSON.stringify(v) + "\n"));
    else w.write(JSON.stringify(v) + "\n");
    expected.push(JSON.stringify(v) + "\n");
    if (i % 100 === 0) await w.flushIfNeeded(1);
  }
  assert.equal(existsSync(path), false, "nothing at the target before close");
  await w.close();
  const text = readFileSync(path, "utf8");
  assert.equal(text, expected.join(""));
  assert.equal(w.bytes, Buffer.byteLength(text));
  assert.equal(w.sha256(), await sha256File(path));
  assert.deepEqual(readdirSync(dir), ["out.jsonl"], "no temporary file left");
});

test("sha256() needs the option and a finished close; abort removes the partial file", async () => {
  const dir = tmpDir();
  const plain = new AtomicWriter(join(dir, "a.txt"));
  plain.write("x");
  await plain.close();
  assert.throws(() => plain.sha256(), /sha256/);
  const early = new AtomicWriter(join(dir, "b.txt"), { sha256: true });
  early.write("y");
  assert.throws(() => early.sha256(), /close/);
  await early.abort();
  assert.deepEqual(readdirSync(dir), ["a.txt"]);
});
