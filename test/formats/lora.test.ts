// LoRA adapters: the PEFT fixture loads (rank, alpha, targets, shapes checked against the base model), the
// llama.cpp GGUF fixture holds the same A/B once lora_b q rows are un-permuted, and both formats round-trip.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { MedtuneError } from "../../src/core/index.ts";
import { sharedPath } from "../helpers/shared.ts";
import { tmpDir } from "../helpers/tmp.ts";
import { loadGgufLora, loadHfModel, loadPeftAdapter, loraScale, readGgufFile, readGgufTensorBytes, saveGgufLora, savePeftAdapter, type LoraAdapter } from "../../src/formats/index.ts";

function sameAdapter(a: LoraAdapter, b: LoraAdapter): void {
  assert.deepEqual([...a.tensors.keys()].sort(), [...b.tensors.keys()].sort());
  for (const [m, p] of a.tensors) {
    const q = b.tensors.get(m)!;
    assert.deepEqual(q.A.shape, p.A.shape, `${m} A shape`);
    assert.deepEqual(q.B.shape, p.B.shape, `${m} B shape`);
    assert.deepEqual(q.A.data, p.A.data, `${m} A`);
    assert.deepEqual(q.B.data, p.B.data, `${m} B`);
  }
}

test("PEFT fixture: r=4, alpha=8 on q_proj, v_proj, down_proj of 5 layers, checked against the base", (t) => {
  const peft = sharedPath(t, "models/stories260K/lora-test/peft");
  const base = sharedPath(t, "models/stories260K/hf");
  if (!peft || !base) return;
  const cfg = loadHfModel(base).config;
  const a = loadPeftAdapter(peft, cfg);
  assert.equal(a.config.r, 4);
  assert.equal(a.config.alpha, 8);
  assert.equal(loraScale(a.config), 2);
  assert.deepEqual(a.config.targetModules, ["q_proj", "v_proj", "down_proj"]);
  assert.equal(a.tensors.size, 15);
  const v = a.tensors.get("model.layers.4.self_attn.v_proj")!;
  assert.deepEqual(v.A.shape, [4, 64]);
  assert.deepEqual(v.B.shape, [32, 4]);
  assert.deepEqual(a.tensors.get("model.layers.0.mlp.down_proj")!.A.shape, [4, 172]);
});

test("GGUF LoRA fixture equals the PEFT fixture (lora_b of q un-permuted); our writer reproduces its bytes", async (t) => {
  const peft = sharedPath(t, "models/stories260K/lora-test/peft");
  const gl = sharedPath(t, "models/stories260K/lora-test/stories260K-lora-test.gguf");
  const base = sharedPath(t, "models/stories260K/hf");
  if (!peft || !gl || !base) return;
  const cfg = loadHfModel(base).config;
  const p = loadPeftAdapter(peft, cfg);
  const g = await loadGgufLora(gl, cfg);
  assert.equal(g.config.alpha, 8);
  assert.equal(g.config.r, 4);
  sameAdapter(p, g);
  const out = join(tmpDir(), "lora.gguf");
  saveGgufLora(out, p, cfg);
  const [ours, orig] = [await readGgufFile(out), await readGgufFile(gl)];
  assert.deepEqual(ours.metadata, orig.metadata);
  assert.deepEqual(ours.tensors.map((x) => [x.name, x.ne]), orig.tensors.map((x) => [x.name, x.ne]));
  for (let i = 0; i < orig.tensors.length; i++) assert.deepEqual(readGgufTensorBytes(ours, ours.tensors[i]), readGgufTensorBytes(orig, orig.tensors[i]), orig.tensors[i].name);
  sameAdapter(p, await loadGgufLora(out, cfg));
});

test("PEFT save -> load round-trips with PEFT key names", (t) => {
  const peft = sharedPath(t, "models/stories260K/lora-test/peft");
  if (!peft) return;
  const a = loadPeftAdapter(peft);
  const dir = join(tmpDir(), "adapter");
  savePeftAdapter(dir, a);
  const b = loadPeftAdapter(dir);
  assert.deepEqual(b.config, a.config);
  sameAdapter(a, b);
  const cfg = JSON.parse(readFileSync(join(dir, "adapter_config.json"), "utf8"));
  assert.equal(cfg.peft_type, "LORA");
  assert.equal(cfg.lora_alpha, 8);
});

test("PEFT errors: DoRA, modules_to_save, wrong base, missing weights", (t) => {
  const peft = sharedPath(t, "models/stories260K/lora-test/peft");
  const other = sharedPath(t, "models/tiny-llama3-random/hf");
  if (!peft || !other) return;
  const dir = join(tmpDir(), "a");
  cpSync(peft, dir, { recursive: true });
  const cfg = JSON.parse(readFileSync(join(dir, "adapter_config.json"), "utf8"));
  const is = (code: string, re: RegExp) => (e: unknown) => e instanceof MedtuneError && e.code === code && re.test(e.message);
  writeFileSync(join(dir, "adapter_config.json"), JSON.stringify({ ...cfg, use_dora: true }));
  assert.throws(() => loadPeftAdapter(dir), is("peft.unsupported", /DoRA/));
  writeFileSync(join(dir, "adapter_config.json"), JSON.stringify({ ...cfg, modules_to_save: ["lm_head"] }));
  assert.throws(() => loadPeftAdapter(dir), is("peft.unsupported", /modules_to_save/));
  writeFileSync(join(dir, "adapter_config.json"), JSON.stringify({ ...cfg, r: 8 }));
  assert.throws(() => loadPeftAdapter(dir), is("peft.shape", /do not have rank 8/));
  writeFileSync(join(dir, "adapter_config.json"), JSON.stringify(cfg));
  assert.throws(() => loadPeftAdapter(dir, loadHfModel(other).config), is("peft.shape", /adapter maps (64|172) -> (64|32) but the base linear is (48|96) -> (48|16)/));
  writeFileSync(join(dir, "adapter_model.safetensors"), "");
  assert.throws(() => loadPeftAdapter(dir), (e: unknown) => e instanceof MedtuneError && e.code === "safetensors.truncated");
});
