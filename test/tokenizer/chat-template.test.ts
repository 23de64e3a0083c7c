// Chat templates: all 8 real templates render a system+user+assistant conversation and a generation prompt (Gemma 2
// refuses system messages through its own raise_exception); Llama 2, Llama 3.2 and Qwen2.5 match their known formats
// exactly; applyChatTemplate tokenizes without a second BOS.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { readdirSync, readFileSync } from "node:fs";
import { MedtuneError } from "../../src/core/index.ts";
import { sharedPath } from "../helpers/shared.ts";
import { applyChatTemplate, loadHfTokenizer, renderChatTemplate, strftime, type ChatMessage } from "../../src/tokenizer/index.ts";

const SYS = "You are a careful clinician.";
const USER = "What is the first-line treatment for uncomplicated hypertension?";
const ASSISTANT = "A thiazide diuretic, ACE inhibitor, ARB or calcium channel blocker.";
const CHAT: ChatMessage[] = [{ role: "system", content: SYS }, { role: "user", content: USER }, { role: "assistant", content: ASSISTANT }];
const NOW = new Date(2025, 0, 15, 9, 30);

function template(t: Parameters<typeof sharedPath>[0], name: string): string | null {
  const p = sharedPath(t, `models/chat-templates/${name}.jinja`);
  return p ? readFileSync(p, "utf8") : null;
}

test("all 8 chat templates render a conversation and a generation prompt", (t) => {
  const dir = sharedPath(t, "models/chat-templates");
  if (!dir) return;
  const files = readdirSync(dir).filter((f) => f.endsWith(".jinja"));
  assert.equal(files.length, 8);
  for (const f of files) {
    const src = readFileSync(join(dir, f), "utf8");
    const noSystem = f.startsWith("google-gemma");
    const chat = noSystem ? CHAT.slice(1) : CHAT;
    const full = renderChatTemplate(src, chat, { bosToken: "<s>", eosToken: "</s>", now: NOW });
    assert.ok(full.includes(USER) && full.includes(ASSISTANT), `${f} holds the turns`);
    if (!noSystem && !f.startsWith("mistralai")) assert.ok(full.includes(SYS), `${f} holds the system prompt`);
    const gen = renderChatTemplate(src, chat.slice(0, -1), { bosToken: "<s>", eosToken: "</s>", now: NOW, addGenerationPrompt: true });
    assert.ok(gen.includes(USER) && !gen.includes(ASSISTANT), `${f} generation prompt`);
    if (src.includes("add_generation_prompt")) assert.notEqual(gen, renderChatTemplate(src, chat.slice(0, -1), { bosToken: "<s>", eosToken: "</s>", now: NOW }), `${f}: add_generation_prompt changes the output`);
    if (noSystem) {
      assert.throws(() => renderChatTemplate(src, CHAT, { now: NOW }), (e: unknown) => e instanceof MedtuneError && e.code === "chat.template-raised" && /System role not supported/.test(e.message));
    }
  }
});

test("Llama 2 chat format", (t) => {
  const src = template(t, "meta-llama-Llama-2-7b-chat-hf");
  if (!src) return;
  assert.equal(
    renderChatTemplate(src, CHAT, { bosToken: "<s>", eosToken: "</s>" }),
    `<s>[INST] <<SYS>>\n${SYS}\n<</SYS>>\n\n${USER} [/INST] ${ASSISTANT} </s>`,
  );
  assert.equal(renderChatTemplate(src, CHAT.slice(1, 2), { bosToken: "<s>", eosToken: "</s>", addGenerationPrompt: true }), `<s>[INST] ${USER} [/INST]`);
  assert.throws(() => renderChatTemplate(src, [{ role: "user", content: "a" }, { role: "user", content: "b" }]), /roles must alternate/);
});

test("Llama 3.2 chat format (date from the injected clock or date_string)", (t) => {
  const src = template(t, "meta-llama-Llama-3.2-3B-Instruct");
  if (!src) return;
  const bos = "<|begin_of_text|>";
  const head = (role: string) => `<|start_header_id|>${role}<|end_header_id|>\n\n`;
  assert.equal(
    renderChatTemplate(src, CHAT.slice(0, 2), { bosToken: bos, eosToken: "<|eot_id|>", now: NOW, addGenerationPrompt: true }),
    `${bos}${head("system")}Cutting Knowledge Date: December 2023\nToday Date: 15 Jan 2025\n\n${SYS}<|eot_id|>${head("user")}${USER}<|eot_id|>${head("assistant")}`,
  );
  const withDate = renderChatTemplate(src, CHAT, { bosToken: bos, dateString: "01 Mar 2025" });
  assert.ok(withDate.includes("Today Date: 01 Mar 2025\n") && withDate.endsWith(`${head("assistant")}${ASSISTANT}<|eot_id|>`));
});

test("Qwen2.5 chat format (and its default system prompt)", (t) => {
  const src = template(t, "Qwen-Qwen2.5-7B-Instruct");
  if (!src) return;
  assert.equal(
    renderChatTemplate(src, CHAT.slice(0, 2), { addGenerationPrompt: true }),
    `<|im_start|>system\n${SYS}<|im_end|>\n<|im_start|>user\n${USER}<|im_end|>\n<|im_start|>assistant\n`,
  );
  assert.equal(
    renderChatTemplate(src, CHAT.slice(1), {}),
    `<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\n${USER}<|im_end|>\n<|im_start|>assistant\n${ASSISTANT}<|im_end|>\n`,
  );
});

test("applyChatTemplate uses the tokenizer's template and BOS once", (t) => {
  const hf = sharedPath(t, "models/llama-2-tiny-random/hf");
  if (!hf) return;
  const tok = loadHfTokenizer(hf);
  const { text, ids } = applyChatTemplate(tok, CHAT.slice(0, 2), { addGenerationPrompt: true });
  assert.ok(text.startsWith("<s>[INST] <<SYS>>"));
  assert.equal(ids[0], tok.bosId);
  assert.notEqual(ids[1], tok.bosId);
  assert.deepEqual(ids, tok.encode(text, { addSpecialTokens: false }));
  assert.throws(() => applyChatTemplate(tok, CHAT, { templateName: "tool_use" }), /no chat template named "tool_use"/);
});

test("template syntax errors and strftime", () => {
  assert.throws(() => renderChatTemplate("{% for m in messages %}", CHAT), (e: unknown) => e instanceof MedtuneError && e.code === "chat.template-syntax");
  assert.equal(strftime(NOW, "%d %b %Y %H:%M %A %B %y %j %%"), "15 Jan 2025 09:30 Wednesday January 25 015 %");
});
