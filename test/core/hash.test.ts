// Content hashes: SHA-256 of strings, bytes and files (known digests, files of 0 bytes to several read pieces).
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { sha256, sha256File } from "../../src/core/index.ts";
import { tmpDir } from "../helpers/tmp.ts";

test("sha256 of strings and bytes matches the FIPS 180-2 examples", () => {
  assert.equal(sha256("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.equal(sha256(new Uint8Array(0)), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
});

test("sha256File equals sha256 of the content, for an empty file and files spanning several 1 MiB reads", async () => {
  const dir = tmpDir();
  for (const size of [0, 3, (1 << 20) - 1, 1 << 20, (5 << 20) + 17]) {
    const data = new Uint8Array(size);
    for (let i = 0; i < size; i++) data[i] = (i * 2654435761) >>> 24;
    const path = join(dir, `f${size}`);
    writeFileSync(path, data);
    assert.equal(await sha256File(path), sha256(data), `size ${size}`);
  }
});
