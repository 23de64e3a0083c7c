// decodeUtf8 (src/core/strict-utf8.ts) is TextDecoder's fatal UTF-8 decoding, byte-order mark handling included,
// on seeded byte strings mixing ASCII, valid multi-byte characters and every kind of invalid sequence.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng, decodeUtf8 } from "../../src/core/index.ts";

const fatal = new TextDecoder("utf-8", { fatal: true });

function reference(bytes: Buffer): string | undefined {
  try {
    return fatal.decode(bytes);
  } catch {
    return undefined;
  }
}

const PIECES = [
  [0x41], [0x7b, 0x22], [0x0a], [0x7f], [0xef, 0xbb, 0xbf], [0xc3, 0xa9], [0xc2, 0xa0], [0xe2, 0x80, 0x99], [0xf0, 0x9f, 0x98, 0x80],
  [0xc3], [0xff], [0x80], [0xed, 0xa0, 0x80], [0xc0, 0x80], [0xe0, 0x80, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x28, 0xa1], [0x00],
];

test("decodeUtf8 gives what TextDecoder's fatal mode gives (undefined where it throws), at any offset", () => {
  const rng = new Rng("strict-utf8");
  for (let k = 0; k < 20000; k++) {
    const body: number[] = [];
    for (let n = rng.int(8); n > 0; n--) body.push(...PIECES[rng.int(PIECES.length)]);
    const pad = rng.int(3);
    const buf = Buffer.from([...Array(pad).fill(0x20), ...body, 0x20]);
    const expected = reference(buf.subarray(pad, pad + body.length));
    assert.equal(decodeUtf8(buf, pad, pad + body.length), expected, JSON.stringify(body));
  }
  assert.equal(decodeUtf8(Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, 0x41]), 0, 7), "\ufeffA", "one byte-order mark is dropped, as TextDecoder does");
});
