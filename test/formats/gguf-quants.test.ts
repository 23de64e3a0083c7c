// GGML block formats: dequantization of hand-built blocks whose values are worked out by hand from ggml-common.h
// layouts, and our reference quantizers (ggml-quants.c *_ref) checked by round trip, error bounds and ordering.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/index.ts";
import { GGML_BLOCK, GGML_TYPE, dequantize, quantize, canQuantize, type GgmlTypeName } from "../../src/formats/index.ts";

const H = { one: [0x00, 0x3c], half: [0x00, 0x38], quarter: [0x00, 0x34], two: [0x00, 0x40], minusOne: [0x00, 0xbc] };

function block(type: GgmlTypeName, fill: (b: Uint8Array) => void): Float32Array {
  const b = new Uint8Array(GGML_BLOCK[type]!.typeSize);
  fill(b);
  return dequantize(GGML_TYPE[type], b, GGML_BLOCK[type]!.blockSize);
}

function near(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: got ${actual}, expected ${expected}`);
}

test("Q8_0: y = d * q with q signed bytes", () => {
  const y = block("Q8_0", (b) => {
    b.set(H.half, 0);
    b.set([0x80, 0xff, 0x00, 0x01, 0x7f], 2);
  });
  assert.deepEqual(Array.from(y.slice(0, 5)), [-64, -0.5, 0, 0.5, 63.5]);
});

test("Q4_0 / Q4_1: low nibbles are elements 0..15, high nibbles 16..31", () => {
  const a = block("Q4_0", (b) => {
    b.set(H.two, 0);
    b.fill(0x88, 2);
    b[2] = 0x1f;
  });
  near(a[0], (15 - 8) * 2, "q4_0[0]");
  near(a[16], (1 - 8) * 2, "q4_0[16]");
  near(a[1], 0, "q4_0[1]");
  const c = block("Q4_1", (b) => {
    b.set(H.half, 0);
    b.set(H.minusOne, 2);
    b[4] = 0x3a;
  });
  near(c[0], 10 * 0.5 - 1, "q4_1[0]");
  near(c[16], 3 * 0.5 - 1, "q4_1[16]");
  near(c[1], -1, "q4_1[1]");
});

test("Q5_0 / Q5_1: the fifth bit of element j is bit j of qh (j+16 for the high half)", () => {
  const a = block("Q5_0", (b) => {
    b.set(H.one, 0);
    b[2] = 0x01; // qh bit 0
    b[4] = 0x01; // qh bit 16
    b[6] = 0x21;
  });
  near(a[0], (1 | 16) - 16, "q5_0[0]");
  near(a[16], (2 | 16) - 16, "q5_0[16]");
  near(a[1], -16, "q5_0[1]");
  const c = block("Q5_1", (b) => {
    b.set(H.one, 0);
    b.set(H.half, 2);
    b[4] = 0x01;
    b[8] = 0x0f;
  });
  near(c[0], (15 | 16) + 0.5, "q5_1[0]");
  near(c[16], 0.5, "q5_1[16]");
});

test("Q2_K: 16 sub-blocks of 16 with 4-bit scale and min, 2-bit quants four to a byte", () => {
  const y = block("Q2_K", (b) => {
    b[0] = 0x21; // sub-block 0: scale 1, min 2
    b[1] = 0x02; // sub-block 1: scale 2, min 0
    b[2] = 0x13; // sub-block 2: scale 3, min 1
    b[16] = 0b00000100; // element 0 (shift 0) = 0, element 32 (shift 2) = 1
    b[32] = 0x03; // element 16 = 3
    b.set(H.one, 80);
    b.set(H.half, 82);
  });
  near(y[0], 1 * 0 - 0.5 * 2, "q2_K[0]");
  near(y[16], 2 * 3 - 0, "q2_K[16]");
  near(y[32], 3 * 1 - 0.5 * 1, "q2_K[32]");
});

test("Q3_K: 6-bit signed scales, hmask bit clear subtracts 4", () => {
  const y = block("Q3_K", (b) => {
    b.fill(0xff, 0, 32);
    b[0] = 0xfe; // element 0: high bit clear
    b[32] = 0x01; // element 0 low bits = 1
    b[48] = 0x02; // element 16 low bits = 2
    b[96] = 0x01; // scale 0 = (1 | 0) - 32 = -31, others -32
    b.set(H.one, 108);
  });
  near(y[0], -31 * (1 - 4), "q3_K[0]");
  near(y[16], -32 * 2, "q3_K[16]");
});

test("Q4_K / Q5_K: 8 sub-blocks of 32 with packed 6-bit scales and mins", () => {
  const fill = (b: Uint8Array): void => {
    b.set(H.one, 0);
    b.set(H.half, 2);
    b[4 + 0] = 2 | (1 << 6); // sc0 = 2, high bits of sc4 = 1
    b[4 + 4] = 3; // m0 = 3
    b[4 + 8] = 0x5 | (0x6 << 4); // sc4 low = 5, m4 low = 6
  };
  const y = block("Q4_K", (b) => {
    fill(b);
    b.fill(0x73, 16);
  });
  near(y[0], 2 * 3 - 0.5 * 3, "q4_K[0]");
  near(y[32], 0, "q4_K[32] (scale 0, min 0)");
  near(y[128], 21 * 3 - 0.5 * 6, "q4_K[128] (sc4 = 5 | 1<<4)");
  const z = block("Q5_K", (b) => {
    fill(b);
    b[16] = 0x01; // qh[0] bit 0: element 0 gets +16
    b.fill(0x73, 48);
  });
  near(z[0], 2 * (3 + 16) - 0.5 * 3, "q5_K[0]");
  near(z[1], 2 * 3 - 0.5 * 3, "q5_K[1]");
  near(z[128], 21 * 3 - 0.5 * 6, "q5_K[128]");
});

test("Q6_K: 4+2 bit quants minus 32, int8 scales per 16", () => {
  const y = block("Q6_K", (b) => {
    b[0] = 0x21;
    b[32] = 0x05;
    b[128] = 0x01;
    b[192] = 3;
    b[194] = 0xfe; // scale 2 = -2
    b[196] = 1;
    b[198] = 1;
    b.set(H.quarter, 208);
  });
  near(y[0], 0.25 * 3 * ((1 | 16) - 32), "q6_K[0]");
  near(y[32], 0.25 * -2 * (5 - 32), "q6_K[32]");
  near(y[64], 0.25 * 1 * (2 - 32), "q6_K[64]");
  near(y[96], 0.25 * 1 * (0 - 32), "q6_K[96]");
});

test("quantizers round-trip within their precision and rank as expected", () => {
  const rng = new Rng(7);
  const x = new Float32Array(256 * 16).map(() => rng.normal() * 0.05);
  const rmse: Record<string, number> = {};
  for (const type of ["Q8_0", "Q6_K", "Q5_K", "Q5_1", "Q5_0", "Q4_K", "Q4_1", "Q4_0"] as GgmlTypeName[]) {
    const bytes = quantize(type, x, 512);
    assert.equal(bytes.length, (x.length / GGML_BLOCK[type]!.blockSize) * GGML_BLOCK[type]!.typeSize);
    const y = dequantize(GGML_TYPE[type], bytes, x.length);
    let s = 0;
    for (let i = 0; i < x.length; i++) s += (x[i] - y[i]) ** 2;
    rmse[type] = Math.sqrt(s / x.length) / 0.05;
  }
  assert.ok(rmse.Q8_0 < 0.01, `Q8_0 relative rmse ${rmse.Q8_0}`);
  assert.ok(rmse.Q8_0 < rmse.Q6_K && rmse.Q6_K < rmse.Q5_K && rmse.Q5_K < rmse.Q4_K, JSON.stringify(rmse));
  assert.ok(rmse.Q5_0 < rmse.Q4_0 && rmse.Q5_1 < rmse.Q4_1, JSON.stringify(rmse));
  assert.ok(rmse.Q4_K < 0.12 && rmse.Q4_0 < 0.15, JSON.stringify(rmse));
});

test("Q8_0 is exact on representable data and idempotent; zero blocks stay zero", () => {
  const x = new Float32Array(64).map((_, i) => ((i * 37) % 255 - 127) / 16);
  x[0] = 127 / 16;
  const y = dequantize(GGML_TYPE.Q8_0, quantize("Q8_0", x, 64), 64);
  assert.deepEqual(Array.from(y.slice(0, 32)), Array.from(x.slice(0, 32)));
  const rng = new Rng(3);
  const r = new Float32Array(256).map(() => rng.normal());
  const q1 = quantize("Q8_0", r, 256);
  assert.deepEqual(quantize("Q8_0", dequantize(GGML_TYPE.Q8_0, q1, 256), 256), q1);
  for (const type of ["Q8_0", "Q4_K", "Q5_K", "Q6_K", "Q4_0", "Q5_0"] as GgmlTypeName[]) {
    const z = dequantize(GGML_TYPE[type], quantize(type, new Float32Array(256), 256), 256);
    assert.ok(z.every((v) => v === 0), `${type} of zeros`);
  }
});

test("block-size rules: rows must be whole blocks", () => {
  assert.equal(canQuantize("Q8_0", 64), true);
  assert.equal(canQuantize("Q8_0", 172), false);
  assert.equal(canQuantize("Q4_K", 576), false);
  assert.throws(() => quantize("Q4_K", new Float32Array(64), 64), /rows of 64 cannot be quantized to Q4_K/);
  assert.throws(() => dequantize(GGML_TYPE.IQ2_XXS, new Uint8Array(66), 256), /cannot dequantize GGML type IQ2_XXS/);
});
