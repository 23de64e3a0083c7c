// Tests that need ../shared skip with a visible message when it is absent, and fail when CI is set.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const FILE = join(import.meta.dirname, "fixtures/shared-skip/needs-shared.ts");

function run(ci: boolean) {
  const env: NodeJS.ProcessEnv = { ...process.env, MEDTUNE_SHARED_DIR: "/nonexistent-medtune-shared" };
  delete env.CI;
  delete env.NODE_TEST_CONTEXT; // run as a top-level test process, not as a child of this one
  if (ci) env.CI = "true";
  return spawnSync(process.execPath, ["--import", "tsx", "--test", FILE], { encoding: "utf8", env });
}

test("without CI a missing ../shared skips with a visible message", () => {
  const r = run(false);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /SKIPPED: needs \.\.\/shared\/data\/medqa\/medqa_us_4options_test_shared_slice\.jsonl/);
  assert.match(r.stdout, /# skipped 1/);
});

test("with CI set a missing ../shared fails", () => {
  const r = run(true);
  assert.notEqual(r.status, 0);
  assert.match(r.stdout, /# fail 1/);
  assert.match(r.stdout, /CI is set/);
});
