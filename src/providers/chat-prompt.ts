// Chat messages to prompt text through the model's own Jinja chat template (@huggingface/jinja, the renderer of
// transformers.js), as `apply_chat_template(messages, add_generation_prompt=True)` does; a base model without a
// template gets a plain "User:/Assistant:" transcript.
import { Template } from "@huggingface/jinja";
import { MedtuneError } from "../core/index.ts";
import type { ChatMessage } from "./model.ts";

/** The transcript used when a model has no chat template (base models). */
export const FALLBACK_CHAT_TEMPLATE =
  "{% for m in messages %}{% if m['role'] == 'system' %}{{ m['content'] + '\\n\\n' }}" +
  "{% elif m['role'] == 'user' %}{{ 'User: ' + m['content'] + '\\n' }}{% else %}{{ 'Assistant: ' + m['content'] + '\\n' }}{% endif %}" +
  "{% endfor %}{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}";

/** Stop strings that end the model's turn in the fallback transcript. */
export const FALLBACK_CHAT_STOP = ["\nUser:"];

const compiled = new Map<string, Template>();

/** Options of renderChat. */
export interface RenderChatOptions {
  /** the Jinja template; undefined: the fallback transcript */
  template?: string;
  bosToken?: string;
  eosToken?: string;
  /** end with the assistant's turn opener (default true) */
  addGenerationPrompt?: boolean;
}

/** Renders messages with a chat template; a template error (e.g. its own raise_exception) is a MedtuneError. */
export function renderChat(messages: readonly ChatMessage[], opts: RenderChatOptions = {}): string {
  const source = opts.template ?? FALLBACK_CHAT_TEMPLATE;
  let tpl = compiled.get(source);
  try {
    if (!tpl) {
      tpl = new Template(source);
      if (compiled.size > 32) compiled.clear();
      compiled.set(source, tpl);
    }
    return tpl.render({
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      bos_token: opts.bosToken ?? "",
      eos_token: opts.eosToken ?? "",
      add_generation_prompt: opts.addGenerationPrompt ?? true,
    });
  } catch (e) {
    throw new MedtuneError("chat.template", `the chat template failed: ${(e as Error).message}`, { where: "chat template", hint: "check the roles and order of the messages the template accepts" });
  }
}
