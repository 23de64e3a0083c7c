// Export lines: byte-identical to JSON.stringify of the item, chat and completion objects, whatever the text holds
// (escapes, control characters, surrogate pairs split or not by the trimmed turns), for every built-in template.
import { test } from "node:test";
import assert from "node:assert/strict";
import { exportLines, jsonSlice, renderExample, renderMessages, TEMPLATES, type QAItem } from "../../src/data/index.ts";

const PIECES = ["a", "Answer:", " ", "\n", "\t", '"', "\\", "\u0001", "é", "😀", "\ud83d", "\ude00", "\u2028", "</script>", "Question: "];

function randomText(seed: { s: number }, len: number): string {
  let out = "";
  for (let i = 0; i < len; i++) {
    seed.s = (Math.imul(seed.s, 1103515245) + 12345) >>> 0;
    out += PIECES[(seed.s >>> 16) % PIECES.length];
  }
  return out;
}

test("jsonSlice equals JSON.stringify of the slice for every cut, surrogate pairs included", () => {
  const seed = { s: 11 };
  for (let k = 0; k < 60; k++) {
    const s = randomText(seed, 1 + (k % 9));
    const j = JSON.stringify(s);
    for (let from = 0; from <= s.length; from++) {
      for (let to = from; to <= s.length; to++) assert.equal(jsonSlice(s, j, from, to), JSON.stringify(s.slice(from, to)), `${JSON.stringify(s)} [${from}, ${to})`);
    }
  }
});

test("exportLines are byte-identical to JSON.stringify of the objects data prepare exports", () => {
  const seed = { s: 5 };
  const kinds = ["mcq", "yesno", "open"] as const;
  for (let k = 0; k < 300; k++) {
    const kind = kinds[k % 3];
    const t = Object.values(TEMPLATES)[k % Object.keys(TEMPLATES).length];
    const item: QAItem = {
      id: `id-${randomText(seed, 2)}`, source: "s", kind, question: randomText(seed, k % 7), answer: kind === "mcq" ? "B" : kind === "yesno" ? "maybe" : randomText(seed, 1 + (k % 11)),
      metadata: k % 5 === 0 ? { system: randomText(seed, 3), history: [{ role: "user", content: randomText(seed, 2) }] } : {},
    };
    if (kind === "mcq") item.options = [{ label: "A", text: randomText(seed, 3) + "x" }, { label: "B", text: randomText(seed, 4) + "y" }];
    if (k % 4 === 1) item.context = [randomText(seed, 5), randomText(seed, 2)];
    if (k % 3 === 2) item.explanation = randomText(seed, 6);
    for (const withExplanation of [true, false]) {
      const lines = exportLines(item, t, { chat: true, completion: true, withExplanation });
      const ex = renderExample(item, t, { withExplanation });
      assert.equal(lines.item, JSON.stringify(item));
      assert.equal(lines.completion, JSON.stringify({ id: item.id, prompt: ex.prompt, completion: ex.completion }));
      assert.equal(lines.chat, JSON.stringify({ id: item.id, messages: renderMessages(item, t, { withExplanation }, ex) }), `item ${k}`);
      assert.equal(lines.prompt, ex.prompt);
      assert.equal(lines.completionText, ex.completion);
    }
  }
  const none = exportLines({ id: "x", source: "s", kind: "open", question: "q", answer: "a", metadata: {} }, TEMPLATES["medtune-default-v1"], { chat: false, completion: false });
  assert.deepEqual([none.chat, none.completion], ["", ""]);
});
