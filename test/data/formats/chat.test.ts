// Chat adapter: OpenAI messages and ShareGPT conversations -> question = last user turn, answer = final assistant
// turn, system prompt and earlier turns in metadata; conversations without a final assistant reply are errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { collect, tmpFile } from "./collect.ts";

test("chat: OpenAI style with a system prompt and history", async () => {
  const rec = {
    messages: [
      { role: "system", content: "You are a careful clinician." },
      { role: "user", content: "I have a cough." },
      { role: "assistant", content: "For how long?" },
      { role: "user", content: [{ type: "text", text: "Three weeks." }, { type: "text", text: "It is dry." }] },
      { role: "assistant", content: "A dry cough for three weeks should be checked by a doctor." },
    ],
  };
  const { items } = await collect("chat", tmpFile("openai.jsonl", JSON.stringify(rec)));
  assert.deepEqual(items[0], {
    id: "chat:openai.jsonl:1", source: "chat", kind: "open", question: "Three weeks.\nIt is dry.", answer: "A dry cough for three weeks should be checked by a doctor.",
    metadata: { file: "openai.jsonl", style: "openai", system: "You are a careful clinician.", history: [{ role: "user", content: "I have a cough." }, { role: "assistant", content: "For how long?" }] },
  });
});

test("chat: ShareGPT style with from/value, a top-level system and an id", async () => {
  const rec = { id: "sg-9", system: "Be brief.", conversations: [{ from: "human", value: "What is BMI?" }, { from: "gpt", value: "Weight divided by height squared." }] };
  const { items } = await collect("chat", tmpFile("sharegpt.jsonl", JSON.stringify(rec)));
  assert.deepEqual(items[0], {
    id: "chat:sg-9", source: "chat", kind: "open", question: "What is BMI?", answer: "Weight divided by height squared.",
    metadata: { file: "sharegpt.jsonl", style: "sharegpt", system: "Be brief." },
  });
});

test("chat: tool turns between question and answer are kept as metadata.intermediate", async () => {
  const rec = { messages: [
    { role: "user", content: "Dose of drug X?" },
    { role: "assistant", content: null, tool_calls: [{ id: "1" }] },
    { role: "tool", content: "10 mg" },
    { role: "assistant", content: "10 mg once daily." },
  ] };
  const { items } = await collect("chat", tmpFile("tools.jsonl", JSON.stringify(rec)));
  assert.equal(items[0].question, "Dose of drug X?");
  assert.deepEqual(items[0].metadata.intermediate, [{ role: "assistant", content: "" }, { role: "tool", content: "10 mg" }]);
});

test("chat: no final assistant turn, no user turn, non-text parts and a missing messages field are error records", async () => {
  const lines = [
    { messages: [{ role: "user", content: "Hello?" }] },
    { conversations: [{ from: "system", value: "S" }] },
    { messages: [{ role: "assistant", content: "Hi." }] },
    { messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "x" } }] }, { role: "assistant", content: "A." }] },
    { text: "no turns" },
    { messages: [{ role: "user", content: "Q" }, { role: "assistant", content: null, tool_calls: [] }] },
  ].map((o) => JSON.stringify(o));
  const { errors } = await collect("chat", tmpFile("bad.jsonl", lines.join("\n")));
  assert.deepEqual(errors.map((e) => [e.line, e.error!.reason]), [
    [1, "chat.no-final-assistant"], [2, "chat.no-final-assistant"], [3, "chat.no-user-turn"], [4, "chat.non-text-content"], [5, "field.missing"], [6, "chat.no-final-assistant"],
  ]);
  assert.match(errors[0].error!.message, /ends with a "user" turn/);
});
