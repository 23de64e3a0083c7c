// One node-llama-cpp instance per test file (prebuilt CPU binaries, never built or downloaded, threads = cores):
// skips with a visible message where no prebuilt binary works, fails under CI. Dispose it in test.after.
import os from "node:os";
import type { TestContext } from "node:test";
import type { Llama } from "node-llama-cpp";

let llamaPromise: Promise<Llama> | null = null;

/** The shared Llama, or null after skipping the test when llama.cpp cannot load here (CI unset). */
export async function llamaOrSkip(t: TestContext, opts: { gpu?: false } = {}): Promise<Llama | null> {
  try {
    const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
    llamaPromise ??= getLlama({ build: "never", ...opts, maxThreads: os.cpus().length, logLevel: LlamaLogLevel.error });
    return await llamaPromise;
  } catch (e) {
    if (process.env.CI) throw e;
    const msg = `SKIPPED: node-llama-cpp has no usable prebuilt binary here (${(e as Error).message.split("\n")[0]})`;
    process.stderr.write(msg + "\n");
    t.skip(msg);
    return null;
  }
}

/** Frees the shared Llama, if one was made. */
export async function disposeLlama(): Promise<void> {
  if (llamaPromise) await (await llamaPromise).dispose();
  llamaPromise = null;
}
