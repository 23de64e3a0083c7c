// safetensors: header parsing, F32/F16/BF16 -> float32, integer tensors, writing (aligned header, dtypes) and
// clear errors for unsupported dtypes, truncated files and integer tensors read as floats.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { readFileSync, writeFileSync, truncateSync } from "node:fs";
import { sharedPath } from "../helpers/shared.ts";
import { tmpDir } from "../helpers/tmp.ts";
import { bf16ToF32, f32ToBf16, isFloatDtype, readSafetensors, readSafetensorsHeader, readSafetensorsInts, roundToF16, writeSafetensors } from "../../src/formats/index.ts";

function rawFile(path: string, header: Record<string, unknown>, data: Uint8Array): void {
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(path, Buffer.concat([len, json, data]));
}

test("writes F32/F16/BF16 and reads them back as float32", () => {
  const dir = tmpDir();
  const x = new Float32Array([1, -2.5, 0.1, 3e-3, 65504, -1e-7]);
  for (const dtype of ["F32", "F16", "BF16"] as const) {
    const p = join(dir, `${dtype}.safetensors`);
    writeSafetensors(p, new Map([["w", { shape: [2, 3], data: x }]]), { dtype, metadata: { format: "pt" } });
    const bytes = readFileSync(p);
    assert.equal(Number(bytes.readBigUInt64LE(0)) % 8, 0, "header length is 8-byte aligned");
    const h = readSafetensorsHeader(p);
    assert.deepEqual(h.metadata, { format: "pt" });
    assert.equal(h.tensors.get("w")!.dtype, dtype);
    const t = readSafetensors(p).get("w")!;
    assert.deepEqual(t.shape, [2, 3]);
    const expect = Array.from(x, (v) => (dtype === "F32" ? v : dtype === "F16" ? roundToF16(v) : bf16ToF32(f32ToBf16(v))));
    assert.deepEqual(Array.from(t.data), expect.map(Math.fround));
  }
});

test("reads the BF16 Qwen2 fixture and selects tensors by name and filter", (t) => {
  const p = sharedPath(t, "models/tiny-qwen2-random/hf/model.safetensors");
  if (!p) return;
  const h = readSafetensorsHeader(p);
  assert.ok([...h.tensors.values()].every((e) => e.dtype === "BF16"));
  const one = readSafetensors(p, { names: ["model.norm.weight"] });
  assert.deepEqual([...one.keys()], ["model.norm.weight"]);
  assert.deepEqual(one.get("model.norm.weight")!.shape, [48]);
  const biases = readSafetensors(p, { filter: (n) => n.endsWith(".bias") });
  assert.equal(biases.size, 6, "q/k/v bias in 2 layers");
});

test("golden files: float tensors via readSafetensors, I32 input_ids via readSafetensorsInts", (t) => {
  const p = sharedPath(t, "golden/stories260K.torch.safetensors");
  if (!p) return;
  assert.throws(() => readSafetensors(p), (e: Error) => /"input_ids" has dtype I32/.test(e.message) && /readSafetensorsInts/.test((e as { hint?: string }).hint ?? ""));
  const ints = readSafetensorsInts(p, { names: ["input_ids", "labels"] });
  assert.deepEqual(ints.get("input_ids")!.shape, [2, 12]);
  assert.equal(ints.get("input_ids")!.data[0], 1, "sequences start with BOS");
  assert.ok(ints.get("labels")!.data.includes(-100));
  const floats = readSafetensors(p, { filter: (_, e) => isFloatDtype(e.dtype) });
  assert.ok(floats.has("logits"));
});

test("unsupported dtype, truncated file and missing tensor are clear errors", () => {
  const dir = tmpDir();
  const f8 = join(dir, "f8.safetensors");
  rawFile(f8, { w: { dtype: "F8_E4M3", shape: [2], data_offsets: [0, 2] } }, new Uint8Array(2));
  assert.throws(() => readSafetensors(f8), (e: Error) => /tensor "w" has dtype F8_E4M3/.test(e.message) && (e as { where?: string }).where === f8);
  const odd = join(dir, "odd.safetensors");
  rawFile(odd, { w: { dtype: "C64", shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8));
  assert.throws(() => readSafetensorsHeader(odd), /unknown dtype C64/);
  const cut = join(dir, "cut.safetensors");
  writeSafetensors(cut, new Map([["w", { shape: [256], data: new Float32Array(256) }]]));
  truncateSync(cut, readFileSync(cut).length - 100);
  assert.throws(() => readSafetensors(cut), (e: Error) => (e as { code?: string }).code === "safetensors.truncated" && /tensor "w" ends at byte/.test(e.message));
  truncateSync(cut, 4);
  assert.throws(() => readSafetensorsHeader(cut), /too short/);
  const ok = join(dir, "ok.safetensors");
  writeSafetensors(ok, new Map([["w", { shape: [1], data: new Float32Array(1) }]]));
  assert.throws(() => readSafetensors(ok, { names: ["nope"] }), /tensor "nope" is not in the file/);
  assert.throws(() => writeSafetensors(join(dir, "bad.safetensors"), new Map([["w", { shape: [3], data: new Float32Array(2) }]])), /shape \[3\]/);
});
