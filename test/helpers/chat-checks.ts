// Checks every provider's chat path must pass: a template's own raise_exception comes back as an error on the result,
// and a model without a template prompts with the fallback "User: ... Assistant:" transcript.
import assert from "node:assert/strict";
import type { Model } from "../../src/providers/index.ts";

/** `chat` has a template that demands alternating roles; `base` has no template. */
export async function checkChatTemplateEdges(chat: Model, base: Model): Promise<void> {
  const [bad] = await chat.generate([{ messages: [{ role: "assistant", content: "hi" }], maxTokens: 4, temperature: 0 }]);
  assert.match(bad.error ?? "", /chat template failed: .*alternate/, "the template's own raise_exception comes back as an error");
  const [f] = await base.generate([{ messages: [{ role: "user", content: "Tell me a story." }], maxTokens: 8, temperature: 0 }]);
  assert.equal(f.error, undefined, f.error);
  const [fs] = await base.scoreTokens!([{ text: "User: Tell me a story.\nAssistant:" }]);
  assert.equal(f.promptTokens, fs.tokens.length, "without a template the fallback transcript is the prompt");
}
