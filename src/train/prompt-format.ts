// How a QAItem becomes prompt text and answer text for training and scoring: through the model's chat template
// (tokenizer_config chat_template, rendered as transformers' apply_chat_template: the prompt is the conversation
// up to the assistant turn with add_generation_prompt, the answer is what the full conversation adds after it), or
// through the saved prompt template of `data prepare` for base models (lm-evaluation-harness layout).
import { MedtuneError, fail, isMedtuneError } from "../core/index.ts";
import { checkTemplate, renderCompletion, renderMessages, renderPrompt, type PromptTemplate, type QAItem } from "../data/index.ts";
import { renderChatTemplate, type ChatMessage, type Tokenizer } from "../tokenizer/index.ts";

/** Prompt and answer text of one example; the loss covers the answer only. */
export interface PromptPair {
  prompt: string;
  completion: string;
}

/** Turns items into prompt/answer text; `kind` says which renderer is in use. */
export interface PromptFormat {
  kind: "chat" | "template";
  template: PromptTemplate;
  /** True when the text already holds BOS (chat templates write it), so encoding adds no special tokens. */
  textHasSpecials: boolean;
  /** The training pair of an item. */
  pair(item: QAItem, withExplanation: boolean): PromptPair;
  /** The prompt and one continuation per option of an MCQ (answer label and text, no explanation), for log-likelihood scoring. */
  options(item: QAItem): { prompt: string; continuations: string[] };
}

/** Chat templates that print today's date get a fixed clock, so a run tokenizes the same on every day (and on resume). */
const FIXED_NOW = new Date("2024-07-26T00:00:00Z");

/** The item's options, each as the item with that option as its answer. */
function optionItems(item: QAItem): QAItem[] {
  return (item.options ?? []).map((o) => ({ ...item, answer: o.label }));
}

/** Renders items with a `data prepare` prompt template (base models). */
export function templateFormat(template: PromptTemplate): PromptFormat {
  const problem = checkTemplate(template);
  if (problem) fail("train.bad-template", `prompt template "${template.name}" is unusable: ${problem}`, "prompt template", "put the placeholder back into the template");
  return {
    kind: "template",
    template,
    textHasSpecials: false,
    pair: (item, withExplanation) => ({ prompt: renderPrompt(item, template), completion: renderCompletion(item, template, { withExplanation }) }),
    options: (item) => ({
      prompt: renderPrompt(item, template),
      continuations: optionItems(item).map((o) => renderCompletion(o, template, { withExplanation: false })),
    }),
  };
}

/** Renders items through the tokenizer's chat template (system, user prompt, assistant answer). */
export function chatFormat(tokenizer: Tokenizer, template: PromptTemplate, chatTemplate = tokenizer.chatTemplate): PromptFormat {
  if (chatTemplate === undefined) {
    fail("train.no-chat-template", "the model's tokenizer has no chat template", tokenizer.source, 'use prompt.format "template" (the prepare run\'s prompt template) for base models');
  }
  const problem = checkTemplate(template);
  if (problem) fail("train.bad-template", `prompt template "${template.name}" is unusable: ${problem}`, "prompt template", "put the placeholder back into the template");
  const render = (messages: ChatMessage[], addGenerationPrompt: boolean): string => renderChatTemplate(chatTemplate, messages, {
    addGenerationPrompt, bosToken: tokenizer.bosToken, eosToken: tokenizer.eosToken, unkToken: tokenizer.unkToken, padToken: tokenizer.padToken, now: FIXED_NOW,
  });
  let foldSystem = false;
  // Templates that refuse a system turn (Gemma) get the system text folded into the first user message.
  const withSystem = (messages: ChatMessage[]): ChatMessage[] => {
    if (!foldSystem || messages[0]?.role !== "system") return messages;
    const [sys, first, ...rest] = messages;
    return [{ role: first.role, content: `${sys.content}\n\n${first.content}` }, ...rest];
  };
  const split = (messages: ChatMessage[], where: string): PromptPair => {
    let prompt: string, full: string;
    try {
      prompt = render(withSystem(messages.slice(0, -1)), true);
      full = render(withSystem(messages), false);
    } catch (e) {
      if (!foldSystem && isMedtuneError(e) && e.code === "chat.template-raised" && messages[0]?.role === "system") {
        foldSystem = true;
        return split(messages, where);
      }
      throw e;
    }
    if (!full.startsWith(prompt)) {
      throw new MedtuneError("train.chat-template-mismatch", `the chat template renders the conversation differently from its generation prompt, so the answer cannot be separated (${where})`, {
        where: tokenizer.source, hint: 'the template rewrites earlier turns (e.g. strips reasoning); use prompt.format "template" or a simpler chat_template',
      });
    }
    return { prompt, completion: full.slice(prompt.length) };
  };
  const fmt: PromptFormat = {
    kind: "chat",
    template,
    textHasSpecials: true,
    pair: (item, withExplanation) => split(renderMessages(item, template, { withExplanation }), item.id),
    // The prompt does not depend on the answer; each continuation is the assistant text itself, without the
    // end-of-turn markup the template appends.
    options: (item) => ({
      prompt: split(renderMessages(item, template, { withExplanation: false }), item.id).prompt,
      continuations: optionItems(item).map((o) => renderCompletion(o, template, { withExplanation: false }).trimStart()),
    }),
  };
  // A probe MCQ whose answer must survive the chat template (a template that drops the assistant turn fails here).
  const probe: QAItem = { id: "probe", source: "probe", kind: "mcq", question: "Q?", options: [{ label: "A", text: "alpha" }, { label: "B", text: "beta" }], answer: "B", metadata: {} };
  const want = renderCompletion(probe, template, { withExplanation: false }).trim();
  if (!fmt.pair(probe, false).completion.includes(want)) {
    fail("train.bad-template", "the chat template drops the assistant answer", tokenizer.source, 'check the chat_template, or use prompt.format "template"');
  }
  return fmt;
}
