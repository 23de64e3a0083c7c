// Reordering the vital-signs list of a clinical vignette ("Her temperature is 39.1°C (102.3°F), pulse is 126/min,
// respirations are 28/min, and blood pressure is 80/50 mm Hg." -> pulse, respirations, blood pressure, then her
// temperature): the same measurements in another order, nothing added or dropped. A sentence qualifies only
// when every list item is one vital sign with a number; anything else is left alone.

const VITAL = String.raw`(?:temperature|temp|pulse(?:\s+(?:rate|oximetry))?|heart\s+rate|respirations?|respiratory\s+rate|(?:systolic\s+|diastolic\s+)?blood\s+pressure|BP|(?:oxygen|O2|arterial\s+oxygen)\s+saturation|SpO2|SaO2|body\s+mass\s+index|BMI|weight|height)`;
const DETERMINER = String.raw`(?:(?:the|a|an|his|her|their|its)\s+)?`;
const ITEM_START = new RegExp(String.raw`^${DETERMINER}${VITAL}(?![\p{L}])`, "iu");
const FIRST_VITAL = new RegExp(String.raw`(?<![\p{L}])${DETERMINER}${VITAL}(?![\p{L}])`, "iu");

/** Splits at top-level commas and list "and"s (not inside parentheses); returns items and whether ", and" was used. */
function splitList(text: string): { items: string[]; isOxford: boolean; hasAnd: boolean } | null {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "(" || ch === "[") depth++;
    else if (ch === ")" || ch === "]") depth = Math.max(0, depth - 1);
    else if (ch === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  if (depth !== 0) return null;
  // The last part may be "and X" (Oxford comma) or the last two items may be joined by " and ".
  const items: string[] = [];
  let isOxford = false;
  let hasAnd = false;
  for (let p = 0; p < parts.length; p++) {
    let s = parts[p].trim();
    if (p === parts.length - 1 && /^and\s+/i.test(s)) {
      s = s.replace(/^and\s+/i, "");
      isOxford = true;
      hasAnd = true;
      items.push(s);
      continue;
    }
    if (p === parts.length - 1 && !isOxford) {
      const m = /^(.*?\S)\s+and\s+(\S.*)$/is.exec(s);
      if (m !== null && ITEM_START.test(m[2])) {
        items.push(m[1], m[2]);
        hasAnd = true;
        continue;
      }
    }
    items.push(s);
  }
  if (items.some((s) => s === "")) return null;
  return { items, isOxford, hasAnd };
}

function lowerFirst(s: string): string {
  return s.length > 0 && /^[A-Z][a-z]/.test(s) ? s[0].toLowerCase() + s.slice(1) : s;
}

function upperFirst(s: string): string {
  return s.length > 0 ? s[0].toUpperCase() + s.slice(1) : s;
}

/** Reorders one sentence's vital-signs list (first item moves to the end), or null when it has none. */
export function reorderVitalsSentence(sentence: string): string | null {
  const end = /[.;]?\s*$/.exec(sentence)!;
  const body = sentence.slice(0, end.index);
  const tail = sentence.slice(end.index);
  const first = FIRST_VITAL.exec(body);
  if (first === null) return null;
  const lead = body.slice(0, first.index);
  const list = splitList(body.slice(first.index));
  if (list === null || list.items.length < 2 || !list.hasAnd) return null;
  for (const it of list.items) if (!ITEM_START.test(it) || !/\d/.test(it)) return null;
  const items = list.items.slice(1).concat(list.items[0]);
  if (lead === "") {
    items[items.length - 1] = lowerFirst(items[items.length - 1]);
    items[0] = upperFirst(items[0]);
  }
  const last = items.length - 1;
  const joined = items.length === 2
    ? `${items[0]} and ${items[1]}`
    : `${items.slice(0, last).join(", ")}${list.isOxford ? "," : ""} and ${items[last]}`;
  return lead + joined + tail;
}

/** Splits text into sentences at ". ", "? ", "! " before an upper-case letter or digit (decimals stay whole). */
export function splitSentences(text: string): string[] {
  return text.split(/(?<=[.!?])(\s+)(?=[A-Z0-9"'(])/).reduce<string[]>((acc, part, i) => {
    // Keep the separators attached so joining the pieces gives the text back exactly.
    if (i % 2 === 1) acc[acc.length - 1] += part;
    else acc.push(part);
    return acc;
  }, []);
}

/** Reorders the first vital-signs list in a text, or null when there is none. */
export function reorderVitals(text: string): string | null {
  const sentences = splitSentences(text);
  for (let i = 0; i < sentences.length; i++) {
    const ws = /\s*$/.exec(sentences[i])!;
    const core = sentences[i].slice(0, ws.index);
    const out = reorderVitalsSentence(core);
    if (out !== null && out !== core) {
      sentences[i] = out + sentences[i].slice(ws.index);
      return sentences.join("");
    }
  }
  return null;
}
