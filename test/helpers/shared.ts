// Access to ../shared (datasets, models, goldens) for tests: skip with a visible message when it is absent,
// fail when CI is set (CI must always have it).
import { existsSync } from "node:fs";
import { resolve, join } from "node:path";
import type { TestContext } from "node:test";

/** Absolute path of ../shared beside the project root (MEDTUNE_SHARED_DIR overrides it, to test the skip path). */
export const SHARED_DIR = process.env.MEDTUNE_SHARED_DIR ? resolve(process.env.MEDTUNE_SHARED_DIR) : resolve(import.meta.dirname, "../../../shared");

/** True when ../shared exists. */
export const hasShared = existsSync(SHARED_DIR);

/**
 * Returns the absolute path of `rel` inside ../shared, or skips the test (visible message) when ../shared is
 * absent and CI is unset; with CI set a missing path fails the test.
 */
export function sharedPath(t: TestContext, rel: string): string | null {
  const p = join(SHARED_DIR, rel);
  if (existsSync(p)) return p;
  if (process.env.CI) throw new Error(`../shared/${rel} is missing, and CI is set: CI must run with ../shared beside the checkout`);
  const msg = `SKIPPED: needs ../shared/${rel}, which is absent on this machine`;
  process.stderr.write(msg + "\n");
  t.skip(msg);
  return null;
}
