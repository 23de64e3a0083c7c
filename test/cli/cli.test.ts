// The `medtune` command as a user runs it: help everywhere, one-line errors with non-zero exits and no stack
// trace (unless --debug), config unknown keys named with their path, and `run` on the demo set.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { tmpDir } from "../helpers/tmp.ts";
import { sharedPath } from "../helpers/shared.ts";

const ROOT = resolve(import.meta.dirname, "../..");
function medtune(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "scripts/medtune-dev.ts"), ...args], { cwd, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test("--help lists the commands, and every command has --help", () => {
  const top = medtune(["--help"]);
  assert.equal(top.code, 0);
  for (const c of ["run", "data prepare", "data inspect", "data formats"]) {
    assert.match(top.out, new RegExp(`\\b${c}\\b`));
    const h = medtune([...c.split(" "), "--help"]);
    assert.equal(h.code, 0, c);
    assert.match(h.out, /^medtune .*\n\nusage: medtune /);
  }
});

test("an unknown flag is a one-line usage error with exit 2 and no stack", () => {
  const r = medtune(["data", "prepare", "--nope"]);
  assert.equal(r.code, 2);
  assert.equal(r.err.trim().split("\n").length, 1, r.err);
  assert.match(r.err, /^medtune: error: Unknown option '--nope'.*--help/);
  assert.doesNotMatch(r.err, /\n\s+at /);
});

test("a config with an unknown key names the key path and the file; --debug adds the stack", () => {
  const dir = tmpDir();
  const p = join(dir, "prepare.yaml");
  writeFileSync(p, "name: x\ndedup:\n  treshold: 0.9\n");
  const r = medtune(["data", "prepare", "--config", p]);
  assert.equal(r.code, 1);
  assert.equal(r.err.trim().split("\n").length, 1, r.err);
  assert.match(r.err, /unknown key "treshold" at dedup\.treshold/);
  assert.match(r.err, /prepare\.yaml/);
  const d = medtune(["data", "prepare", "--config", p, "--debug"]);
  assert.match(d.err, /\n\s+at /);
});

test("a missing source file and an unknown format are one-line errors that say what to do", () => {
  const r = medtune(["data", "prepare", "--source", "medqa:nope.jsonl"]);
  assert.equal(r.code, 1);
  assert.match(r.err, /not found: nope\.jsonl \(sources\[0\]\.path\)/);
  const f = medtune(["data", "prepare", "--source", "medqaa:x.jsonl"]);
  assert.equal(f.code, 1);
  assert.match(f.err, /medqaa/);
  assert.match(f.err, /medqa/);
  assert.equal(f.err.trim().split("\n").length, 1, f.err);
});

test("`run` prepares the demo set into the given folder; flags override the config", () => {
  const dir = tmpDir();
  const cfgPath = join(dir, "c.json");
  writeFileSync(cfgPath, JSON.stringify({ seed: 1, prepare: { split: { train: 0.5, validation: 0.25, test: 0.25 } } }));
  const r = medtune(["run", "--config", cfgPath, "--seed", "9", "--out", join(dir, "out"), "--quiet"]);
  assert.equal(r.code, 0, r.err);
  assert.ok(existsSync(join(dir, "out", "prepare", "data-card.md")));
  assert.match(readFileSync(join(dir, "out", "summary.md"), "utf8"), /Releasable: n\/a/);
  const cfg = JSON.parse(readFileSync(join(dir, "out", "prepare", "config.json"), "utf8"));
  assert.equal(cfg.seed, 9);
  assert.equal(cfg.split.train, 0.5);
});

test("data inspect summarizes a real dataset with detected format", (t) => {
  const p = sharedPath(t, "data/medqa/medqa_us_4options_test_shared_slice.jsonl");
  if (!p) return;
  const r = medtune(["data", "inspect", p, "--limit", "1"]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /\(medqa\): 260 records/);
  assert.match(r.out, /--- example 1/);
});
