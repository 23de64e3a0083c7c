// Chat templates (tokenizer_config.json `chat_template`, Jinja) rendered with @huggingface/jinja the way
// transformers' apply_chat_template does: messages, add_generation_prompt, the special-token strings, tools and
// documents as none, raise_exception, and strftime_now (C-locale, with an injectable clock for reproducibility).
import { Environment, Interpreter, Template } from "@huggingface/jinja";
import { MedtuneError } from "../core/index.ts";
import type { Tokenizer } from "./tokenizer.ts";

/** One chat turn. */
export interface ChatMessage {
  role: string;
  content: string;
}

/** Options for rendering. */
export interface RenderChatOptions {
  /** Append the assistant header so the model continues as the assistant (default false). */
  addGenerationPrompt?: boolean;
  bosToken?: string;
  eosToken?: string;
  unkToken?: string;
  padToken?: string;
  /** Clock for `strftime_now` (default: the current time); fix it for reproducible prompts. */
  now?: Date;
  /** `date_string` variable (Llama 3.x templates default to "26 Jul 2024" when it is absent). */
  dateString?: string;
  /** Further template variables (e.g. `enable_thinking`). */
  variables?: Record<string, unknown>;
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** Python strftime in the C locale for the common directives (%Y %y %m %d %e %b %B %a %A %H %I %M %S %p %j %%). */
export function strftime(date: Date, format: string): string {
  const p2 = (n: number): string => String(n).padStart(2, "0");
  return format.replace(/%[YymdebBaAHIMSpj%]/g, (t) => {
    switch (t) {
      case "%Y": return String(date.getFullYear());
      case "%y": return p2(date.getFullYear() % 100);
      case "%m": return p2(date.getMonth() + 1);
      case "%d": return p2(date.getDate());
      case "%e": return String(date.getDate()).padStart(2, " ");
      case "%b": return MONTHS[date.getMonth()].slice(0, 3);
      case "%B": return MONTHS[date.getMonth()];
      case "%a": return DAYS[date.getDay()].slice(0, 3);
      case "%A": return DAYS[date.getDay()];
      case "%H": return p2(date.getHours());
      case "%I": return p2(date.getHours() % 12 || 12);
      case "%M": return p2(date.getMinutes());
      case "%S": return p2(date.getSeconds());
      case "%p": return date.getHours() < 12 ? "AM" : "PM";
      case "%j": {
        const start = new Date(date.getFullYear(), 0, 1);
        return String(Math.floor((date.getTime() - start.getTime()) / 86400000) + 1).padStart(3, "0");
      }
      default: return "%";
    }
  });
}

function pyRange(start: number, stop?: number, step = 1): number[] {
  if (stop === undefined) {
    stop = start;
    start = 0;
  }
  if (step === 0) throw new Error("range() step must not be zero");
  const out: number[] = [];
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
  return out;
}

const compiled = new Map<string, Template>();

function compile(template: string): Template {
  let t = compiled.get(template);
  if (!t) {
    try {
      t = new Template(template);
    } catch (e) {
      throw new MedtuneError("chat.template-syntax", `chat template does not parse: ${(e as Error).message}`, { hint: "fix the chat_template in tokenizer_config.json" });
    }
    if (compiled.size > 64) compiled.clear();
    compiled.set(template, t);
  }
  return t;
}

/** Renders a chat template for `messages`. Errors raised by the template (raise_exception) become MedtuneErrors. */
export function renderChatTemplate(template: string, messages: ChatMessage[], opts: RenderChatOptions = {}): string {
  const t = compile(template);
  const now = opts.now;
  // A fresh environment with jinja's globals, but our raise_exception and a C-locale strftime_now.
  const vars: Record<string, unknown> = {
    false: false, true: true, none: null, False: false, True: true, None: null,
    range: pyRange,
    messages: messages.map((m) => ({ ...m })),
    add_generation_prompt: opts.addGenerationPrompt ?? false,
    bos_token: opts.bosToken ?? "",
    eos_token: opts.eosToken ?? "",
    unk_token: opts.unkToken ?? "",
    pad_token: opts.padToken ?? "",
    tools: null,
    documents: null,
    strftime_now: (format: string) => strftime(now ?? new Date(), format),
    raise_exception: (message: string) => {
      throw new MedtuneError("chat.template-raised", `chat template refused the conversation: ${message}`, { hint: "change the roles or order of the messages (e.g. this template may not accept a system message)" });
    },
    ...opts.variables,
  };
  if (opts.dateString !== undefined) vars.date_string = opts.dateString;
  try {
    const env = new Environment();
    for (const [k, v] of Object.entries(vars)) env.set(k, v);
    return (new Interpreter(env).run(t.parsed) as { value: string }).value;
  } catch (e) {
    if (e instanceof MedtuneError) throw e;
    throw new MedtuneError("chat.template-render", `chat template failed: ${(e as Error).message}`, { hint: "check the messages (role/content strings) against the model's template" });
  }
}

/** Options for `applyChatTemplate`. */
export interface ApplyChatOptions extends Omit<RenderChatOptions, "bosToken" | "eosToken" | "unkToken" | "padToken"> {
  /** Which named template to use (default: the tokenizer's default). */
  templateName?: string;
  /** Template text to use instead of the tokenizer's. */
  template?: string;
}

/** Renders the tokenizer's chat template and tokenizes the text without adding BOS/EOS again (as transformers). */
export function applyChatTemplate(tokenizer: Tokenizer, messages: ChatMessage[], opts: ApplyChatOptions = {}): { text: string; ids: number[] } {
  const template = opts.template ?? (opts.templateName ? tokenizer.chatTemplates[opts.templateName] : tokenizer.chatTemplate);
  if (template === undefined) {
    throw new MedtuneError("chat.no-template", opts.templateName ? `the tokenizer has no chat template named "${opts.templateName}"` : "the tokenizer has no chat template", {
      where: tokenizer.source,
      hint: "base models have none: give a template (tokenizer_config.json chat_template or the template option), or use plain prompts",
    });
  }
  const text = renderChatTemplate(template, messages, {
    ...opts,
    bosToken: tokenizer.bosToken,
    eosToken: tokenizer.eosToken,
    unkToken: tokenizer.unkToken,
    padToken: tokenizer.padToken,
  });
  return { text, ids: tokenizer.encode(text, { addSpecialTokens: false }) };
}
