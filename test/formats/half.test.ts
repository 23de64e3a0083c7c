// F16/BF16 conversions against IEEE bit patterns (round-to-nearest-even, subnormals, overflow) and the float32
// shortest-decimal helper.
import { test } from "node:test";
import assert from "node:assert/strict";
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16, shortestF32 } from "../../src/formats/index.ts";

test("f16 bit patterns decode to the IEEE values", () => {
  const cases: Array<[number, number]> = [
    [0x3c00, 1], [0xc000, -2], [0x3555, 0.333251953125], [0x7bff, 65504], [0x0001, 2 ** -24], [0x0400, 2 ** -14], [0x8000, -0],
  ];
  for (const [h, v] of cases) assert.equal(f16ToF32(h), v, `0x${h.toString(16)}`);
  assert.equal(f16ToF32(0x7c00), Infinity);
  assert.ok(Number.isNaN(f16ToF32(0x7e00)));
});

test("f32 -> f16 rounds to nearest even and handles subnormals and overflow", () => {
  assert.equal(f32ToF16(1), 0x3c00);
  assert.equal(f32ToF16(1 / 3), 0x3555);
  assert.equal(f32ToF16(1 + 2 ** -11), 0x3c00, "halfway rounds to even (down)");
  assert.equal(f32ToF16(1 + 3 * 2 ** -11), 0x3c02, "halfway rounds to even (up)");
  assert.equal(f32ToF16(65520), 0x7c00, "overflow to inf");
  assert.equal(f32ToF16(2 ** -24), 0x0001);
  assert.equal(f32ToF16(2 ** -25), 0x0000, "tie at the smallest subnormal goes to even (zero)");
  assert.equal(f32ToF16(3 * 2 ** -26), 0x0001);
  assert.equal(f32ToF16(-0), 0x8000);
  for (let h = 0; h < 0x7c00; h += 7) assert.equal(f32ToF16(f16ToF32(h)), h, `round trip 0x${h.toString(16)}`);
});

test("bf16 conversions round to nearest even and keep NaN", () => {
  assert.equal(f32ToBf16(1), 0x3f80);
  assert.equal(bf16ToF32(0x3f80), 1);
  assert.equal(bf16ToF32(f32ToBf16(1 + 2 ** -8)), 1, "halfway to even");
  assert.equal(bf16ToF32(f32ToBf16(1 + 3 * 2 ** -8)), 1 + 2 ** -6);
  assert.ok(Number.isNaN(bf16ToF32(f32ToBf16(NaN))));
});

test("shortestF32 recovers the decimal a float32 metadata value was written from", () => {
  assert.equal(shortestF32(Math.fround(1e-5)), 1e-5);
  assert.equal(shortestF32(Math.fround(1e-6)), 1e-6);
  assert.equal(shortestF32(Math.fround(500000)), 500000);
  assert.equal(shortestF32(Math.fround(0.1)), 0.1);
});
