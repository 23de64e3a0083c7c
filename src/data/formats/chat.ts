// Chat-message adapter: JSONL conversations in OpenAI style ({"messages": [{role, content}]}, content a string or
// a list of text parts) or ShareGPT style ({"conversations": [{from: human|gpt|system, value}]}, optional top-level
// "system"). question = the last user turn, answer = the final assistant turn; the system prompt and earlier turns
// go to metadata.system / metadata.history ({role, content}) so training can render the whole conversation.
import type { QAItem } from "../schema.ts";
import type { Adapter, AdapterOptions, SourceRecord } from "./types.ts";
import { readJsonRecords } from "./json-records.ts";
import { RecordError, asText, fileMetadata, isObject, makeId, optionalText, positionId, typeName } from "./record-fields.ts";

const NAME = "chat";

/** One conversation turn in canonical roles (system, user, assistant; others such as tool kept as given). */
export interface ChatTurn {
  role: string;
  content: string;
}

const ROLE_ALIASES: Record<string, string> = {
  system: "system",
  developer: "system",
  user: "user",
  human: "user",
  assistant: "assistant",
  gpt: "assistant",
  chatgpt: "assistant",
  bard: "assistant",
  bing: "assistant",
  model: "assistant",
  bot: "assistant",
};

function turnContent(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) {
    const texts: string[] = [];
    v.forEach((part, i) => {
      if (typeof part === "string") texts.push(part);
      else if (isObject(part) && (part.type === "text" || part.type === undefined) && typeof part.text === "string") texts.push(part.text);
      else throw new RecordError(`${field}.${i}`, "chat.non-text-content", `part ${i + 1} of "${field}" is ${isObject(part) ? `a "${String(part.type)}" part` : typeName(part)}, not text: medtune trains on text only; drop the record or its non-text parts`);
    });
    return texts.join("\n");
  }
  return asText(v, field);
}

/** A turn as read, remembering whether it had any text (an assistant tool call has none). */
interface ReadTurn extends ChatTurn {
  hasText: boolean;
}

/** Reads the turns of an OpenAI- or ShareGPT-style record. */
function chatTurns(obj: Record<string, unknown>): { turns: ReadTurn[]; style: "openai" | "sharegpt"; field: string } {
  const field = Array.isArray(obj.messages) ? "messages" : Array.isArray(obj.conversations) ? "conversations" : undefined;
  if (field === undefined) {
    const bad = obj.messages ?? obj.conversations;
    if (bad !== undefined) throw new RecordError(obj.messages !== undefined ? "messages" : "conversations", "field.type", `"${obj.messages !== undefined ? "messages" : "conversations"}" is ${typeName(bad)}, expected a list of turns`);
    throw new RecordError("messages", "field.missing", `the record has neither "messages" (OpenAI style) nor "conversations" (ShareGPT style): use one of the two chat layouts`);
  }
  const list = obj[field] as unknown[];
  let style: "openai" | "sharegpt" = field === "messages" ? "openai" : "sharegpt";
  const turns = list.map((m, i): ReadTurn => {
    const where = `${field}.${i}`;
    if (!isObject(m)) throw new RecordError(where, "field.type", `turn ${i + 1} is ${typeName(m)}, expected an object with role/content or from/value`);
    const roleRaw = asText(m.role ?? m.from, `${where}.role`);
    if (roleRaw === undefined) throw new RecordError(`${where}.role`, "field.missing", `turn ${i + 1} has no "role" (or "from"): name who speaks`);
    if (m.from !== undefined && m.role === undefined) style = "sharegpt";
    const role = ROLE_ALIASES[roleRaw.trim().toLowerCase()] ?? roleRaw;
    const content = turnContent(m.content !== undefined ? m.content : m.value, `${where}.content`);
    return { role, content: content ?? "", hasText: content !== undefined };
  });
  return { turns, style, field };
}

function mapChat(obj: Record<string, unknown>, file: string, line: number, opts: AdapterOptions): QAItem {
  const source = opts.sourceName ?? NAME;
  const { turns, style, field } = chatTurns(obj);
  let start = 0;
  const systems: string[] = [];
  const topSystem = optionalText(obj, "system");
  if (topSystem !== undefined && topSystem !== "") systems.push(topSystem);
  while (start < turns.length && turns[start].role === "system") systems.push(turns[start++].content);
  const rest = turns.slice(start);
  const last = rest[rest.length - 1];
  if (last === undefined || last.role !== "assistant") {
    const ends = last === undefined ? "has no turns besides the system prompt" : `ends with a "${last.role}" turn`;
    throw new RecordError(field, "chat.no-final-assistant", `the conversation ${ends}, so there is no assistant reply to learn from: end each conversation with the assistant's answer`);
  }
  if (!last.hasText) {
    throw new RecordError(`${field}.${turns.length - 1}.content`, "chat.no-final-assistant", `the final assistant turn has no text (a tool call?): end each conversation with the assistant's written answer`);
  }
  let qi = rest.length - 2;
  while (qi >= 0 && rest[qi].role !== "user") qi--;
  if (qi < 0) throw new RecordError(field, "chat.no-user-turn", `the conversation has no user turn before the final assistant reply: add the user's question`);
  const strip = (t: ChatTurn): ChatTurn => ({ role: t.role, content: t.content });
  const metadata: Record<string, unknown> = { ...fileMetadata(file), style };
  if (systems.length > 0) metadata.system = systems.join("\n\n");
  if (qi > 0) metadata.history = rest.slice(0, qi).map(strip);
  // Turns between the question and the answer (tool calls and results) are kept so nothing is lost.
  if (qi < rest.length - 2) metadata.intermediate = rest.slice(qi + 1, -1).map(strip);
  const nativeId = optionalText(obj, "id") ?? positionId(file, line);
  const item: QAItem = { id: makeId(source, nativeId), source, kind: "open", question: rest[qi].content, answer: last.content, metadata };
  if (opts.subject !== undefined) item.subject = opts.subject;
  return item;
}

/** Chat conversations (OpenAI messages or ShareGPT conversations) as JSONL. */
export const chat: Adapter = {
  name: NAME,
  description: "chat conversations as JSONL: OpenAI {messages: [{role, content}]} or ShareGPT {conversations: [{from, value}]}",
  reads: "file",
  read(path: string, opts: AdapterOptions): AsyncGenerator<SourceRecord> {
    return readJsonRecords(path, opts, NAME, (obj, file, line) => mapChat(obj, file, line, opts));
  },
};
