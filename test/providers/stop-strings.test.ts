// Stop strings during streaming: text is released only when no stop string can begin in it, a stop string split
// across tokens is still found, partial UTF-8 characters wait, and the streamed pieces equal the final text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { StopMatcher } from "../../src/providers/index.ts";

/** Feeds `pieces` as a growing text; returns the streamed deltas, the final text and whether it stopped. */
function run(stops: string[], pieces: string[]): { deltas: string[]; text: string; stopped: boolean } {
  const m = new StopMatcher(stops);
  const deltas: string[] = [];
  let full = "";
  let stopped = false;
  for (const p of pieces) {
    full += p;
    const u = m.update(full);
    if (u.delta) deltas.push(u.delta);
    if (u.stopped) {
      stopped = true;
      break;
    }
  }
  if (!stopped) {
    const u = m.update(full, true);
    if (u.delta) deltas.push(u.delta);
  }
  assert.equal(deltas.join(""), m.text, "the streamed pieces assemble to the final text");
  return { deltas, text: m.text, stopped };
}

test("a stop string split across tokens is found and cut, and none of it was streamed", () => {
  const r = run(["\nUser:"], ["Aspirin", " is", "\n", "Us", "er:", " more"]);
  assert.equal(r.stopped, true);
  assert.equal(r.text, "Aspirin is");
  assert.ok(!r.deltas.some((d) => d.includes("\n")), "the newline that began the stop string was held back");
});

test("the earliest of several stop strings wins; text with no stop is all released", () => {
  assert.equal(run(["END", "."], ["One", ". Two", " END"]).text, "One");
  const r = run(["###"], ["no", " stop", " here #", "#"]);
  assert.equal(r.stopped, false);
  assert.equal(r.text, "no stop here ##");
});

test("a held-back prefix that does not become a stop string is released later", () => {
  const r = run(["STOP"], ["a S", "T", "x", "y"]);
  assert.equal(r.text, "a STxy");
  assert.deepEqual(r.deltas, ["a ", "STx", "y"]);
});

test("a partial UTF-8 character (U+FFFD at the end) waits for its remaining bytes", () => {
  const m = new StopMatcher([]);
  assert.equal(m.update("caf").delta, "caf");
  assert.equal(m.update("caf\uFFFD").delta, "", "the byte token's replacement character is not shown");
  assert.equal(m.update("café").delta, "é");
  assert.equal(m.update("café\uFFFD", true).delta, "\uFFFD", "at the end everything is released");
});

test("no stop strings: every update releases all new text", () => {
  const r = run([], ["a", "b", "c"]);
  assert.deepEqual(r.deltas, ["a", "b", "c"]);
});
