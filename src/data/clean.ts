// Stage 1 of the data pipeline: text cleaning. Unicode NFC, control and invisible characters, real HTML tags
// (never the "<" and ">" of "BP < 90 mmHg" or "p<0.05") and character references, then whitespace; the
// original of every changed field is kept in item.raw. Entities are decoded after tags are stripped, so
// "&lt;b&gt;" stays the text "<b>"; text that needs only its whitespace tidied takes a fast path.
import type { Option, QAItem } from "./schema.ts";
import { decodeHtmlEntities, cp1252Char } from "./html-entities.ts";

// Anything cleaning can change besides spaces and line breaks: control, invisible and Unicode space characters (tabs
// and CR too), tag or comment starts and character references.
const DIRTY =
  /[\x00-\x09\x0B-\x1F\x7F-\xA0\xAD\u1680\u180E\u2000-\u200D\u2028\u2029\u202F\u205F\u2060\u3000\uFEFF]|<[A-Za-z!/?]|&[#A-Za-z]/;
// DIRTY, or a character at or above U+0300 (text below it is always NFC).
const DIRTY_OR_MAYBE_NOT_NFC = /[\x00-\x09\x0B-\x1F\x7F-\xA0\xAD\u0300-\uFFFF]|<[A-Za-z!/?]|&[#A-Za-z]/;
// The same as one character class, with every "<" and "&": a quicker scan that clears most texts.
const MAYBE_DIRTY = /[\x00-\x09\x0B-\x1F\x7F-\xA0\xAD\u0300-\uFFFF<&]/;
// Characters at or above U+0300 can be non-NFC; text below it is always NFC.
const MAYBE_NOT_NFC = /[^\x00-\u02FF]/;

/** Cleans one text field: NFC, control/invisible characters, HTML tags and entities, whitespace (see file head). */
export function cleanText(s: string): string {
  // Text that is NFC and not DIRTY only has its whitespace to tidy: every other step of cleanTextFull leaves it as
  // is. The quick class scan clears nearly every text; the exact checks run on what it flags.
  if (MAYBE_DIRTY.test(s) && DIRTY_OR_MAYBE_NOT_NFC.test(s) && (DIRTY.test(s) || s.normalize("NFC") !== s)) return cleanTextFull(s);
  return collapseWhitespace(s);
}

/** cleanText without the fast path: always runs every step (for tests that check the fast path is exact). */
export function cleanTextFull(s: string): string {
  s = cleanChars(s);
  if (TAG_START.test(s)) s = stripHtml(s);
  if (ENTITY_START.test(s)) {
    const d = decodeHtmlEntities(s);
    // references can decode to characters the first pass removes (&nbsp; &#8203; &#13; &#150;)
    if (d !== s) s = cleanChars(d);
  }
  s = joinersAndNfc(s);
  return collapseWhitespace(s);
}

// ---- characters -------------------------------------------------------------------------------------------

const CHAR_RE =
  /\r\n?|[\x00-\x09\x0B-\x1F\x7F-\x9F\u00A0\u00AD\u1680\u180E\u2000-\u200B\u2028\u2029\u202F\u205F\u2060\u3000\uFEFF]/g;
const CHAR_TEST = /[\x00-\x08\x0B-\x1F\x7F-\x9F\u00A0\u00AD\u1680\u180E\u2000-\u200B\u2028\u2029\u202F\u205F\u2060\u3000\uFEFF\t\r]/;

// Line breaks to \n (VT, FF, LINE SEPARATOR too; PARAGRAPH SEPARATOR to a blank line), tabs and Unicode spaces
// to a space, other C0 controls and invisible characters removed. C1 controls in decoded text are almost
// always Windows-1252 bytes read as Latin-1 ("don\x92t"), so they map as WHATWG maps &#146; (the five
// code points Windows-1252 leaves undefined are removed).
function charReplacement(c: string): string {
  const cp = c.charCodeAt(0);
  if (c.length === 2 || cp === 0x0d || cp === 0x0b || cp === 0x0c || cp === 0x2028) return "\n";
  if (cp === 0x2029) return "\n\n";
  if (cp === 0x09) return " ";
  if (cp < 0x20 || cp === 0x7f) return "";
  if (cp >= 0x80 && cp <= 0x9f) return cp1252Char(cp);
  if (cp === 0xad || cp === 0x180e || cp === 0x200b || cp === 0x2060 || cp === 0xfeff) return "";
  return " "; // NBSP, OGHAM SPACE, U+2000..U+200A, NNBSP, MMSP, IDEOGRAPHIC SPACE
}

function cleanChars(s: string): string {
  return CHAR_TEST.test(s) ? s.replace(CHAR_RE, charReplacement) : s;
}

// Zero-width (non-)joiners shape emoji and scripts such as Devanagari and Persian: keep a run of them only
// between two non-ASCII characters, remove it elsewhere (the usual copy-paste debris in English text).
const STRAY_JOINERS = /(?<![^\x00-\x7F])[\u200C\u200D]+|[\u200C\u200D]+(?![^\x00-\x7F])/g;

function joinersAndNfc(s: string): string {
  if (!MAYBE_NOT_NFC.test(s)) return s;
  // Removing a joiner can let NFC compose across it, and NFC can turn a neighbour into ASCII (KELVIN SIGN -> K):
  // repeat until stable (each round that changes anything removes a joiner, so this ends).
  for (;;) {
    const t = s.replace(STRAY_JOINERS, "").normalize("NFC");
    if (t === s) return s;
    s = t;
  }
}

// ---- whitespace --------------------------------------------------------------------------------------------

// Each run of spaces and line breaks becomes one space (no break in it), one line break (one) or a blank line (more);
// runs at the ends go. A run already in that form (" ", "\n", "\n\n") is left alone: the pattern matches the others,
// each from its first character to its last, and fails at once on a lone space.
const UNTIDY_RUN = / [ \n]+|\n(?: |\n[ \n])[ \n]*/g;
// Where an untidy run starts (a test scans quicker than a replace that finds nothing).
const UNTIDY_START = / [ \n]|\n(?: |\n[ \n])/;

function collapseWhitespace(s: string): string {
  let from = 0;
  let to = s.length;
  while (from < to && isSpaceOrBreak(s.charCodeAt(from))) from++;
  while (to > from && isSpaceOrBreak(s.charCodeAt(to - 1))) to--;
  if (from > 0 || to < s.length) s = s.slice(from, to);
  return UNTIDY_START.test(s) ? s.replace(UNTIDY_RUN, tidyRun) : s;
}

function isSpaceOrBreak(c: number): boolean {
  return c === 0x20 || c === 0x0a;
}

function tidyRun(run: string): string {
  const br = run.indexOf("\n");
  if (br < 0) return " ";
  return run.indexOf("\n", br + 1) < 0 ? "\n" : "\n\n";
}

// ---- HTML --------------------------------------------------------------------------------------------------

const TAG_START = /<[A-Za-z!/?]/;
const ENTITY_START = /&[#A-Za-z]/;

// Elements that are markup wherever they appear in scraped text.
const ELEMENTS = new Set(
  ("a abbr acronym address article aside b bdi bdo big blockquote br caption center cite col colgroup dd del dfn div dl dt em " +
    "figcaption figure font footer h1 h2 h3 h4 h5 h6 header hgroup hr i iframe img ins kbd li link mark meta nav nobr noscript ol p " +
    "pre q s samp script section small span strike strong style sub sup table tbody td tfoot th thead tr tt u ul wbr").split(" "),
);
// Elements whose names double as prompt placeholders ("Given <input>, write <output>"): a bare opening tag
// counts as markup only when its closing tag is in the same text; with attributes or as a closing tag, always.
const PLACEHOLDER_ELEMENTS = new Set(
  ("area audio base body button canvas code data datalist details dialog embed fieldset form frame frameset head html input " +
    "label legend main map math menu meter noframes object optgroup option output param picture progress rp rt ruby select " +
    "source summary svg template textarea time title track var video").split(" "),
);
// Attributes written without a value in real markup; "<b and c>" has none of these, so it is prose.
const BARE_ATTRIBUTES = new Set(
  ("href checked disabled selected hidden readonly required multiple nowrap noshade compact autofocus async defer controls " +
    "autoplay muted reversed novalidate ismap itemscope allowfullscreen contenteditable playsinline nomodule inert formnovalidate").split(" "),
);
// Separators for block elements: paragraphs and headings start a new paragraph, the others a new line;
// table cells are separated by a space.
const PARAGRAPH = new Set("p h1 h2 h3 h4 h5 h6 blockquote pre table section article header footer figure address aside nav dl hgroup".split(" "));
const LINE = new Set("div tr dt dd caption figcaption hr center".split(" "));
const CELL = new Set(["td", "th"]);

const ATTR = String.raw`\s+[A-Za-z_:@][-\w:.@]*(?:\s*=\s*(?:"[^"<>]*"|'[^'<>]*'|[^\s"'=<>\x60]+))?`;
const NAME = String.raw`[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*(?::[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)?`;
// A tag: `<name attrs>`, `<name attrs/>` or `</name>`; the callback decides whether it is markup or prose.
const TAG_RE = new RegExp(String.raw`<(/?)(${NAME})((?:${ATTR})*)\s*(/?)>`, "g");
const ATTR_ONE = /\s+([A-Za-z_:@][-\w:.@]*)(?:\s*=\s*("[^"<>]*"|'[^'<>]*'|[^\s"'=<>\x60]+))?/g;
// A known element whose last attribute value opens a quote that never closes before the next tag or the end
// (scraped MedMCQA: `Ref: <a href=" Combination Therapy ...</li>`): drop the dangling opening, keep the text.
const DANGLING_RE = new RegExp(String.raw`<(${NAME})(?:${ATTR})*\s+[A-Za-z_:@][-\w:.@]*\s*=\s*(?:"(?=[^"<>]*(?:[<>]|$))|'(?=[^'<>]*(?:[<>]|$)))`, "g");
// Declarations removed: doctype, processing instructions, Word's conditional markers `<![if ...]>`/`<![endif]>`.
const DECLARATION_RE = /<!doctype[^<>]*>|<\?[A-Za-z][^<>]*\?>|<!\[(?:end)?if[^\]<>]*\]>/gi;
// Powers of ten and signed exponents keep their meaning: "10<sup>9</sup>/L" -> "10^9/L", "10<sup>-3</sup>" -> "10^-3".
const POWER_RE = /(\d)<sup>\s*([-\u2212+]?\d+)\s*<\/sup>/gi;
// Stripping can reveal a tag ("<<b>b>" -> "<b>"), so passes repeat until nothing changes, at most this often
// (deeper adversarial nesting is left partly stripped rather than costing quadratic time).
const MAX_HTML_PASSES = 8;

function stripHtml(s: string): string {
  for (let pass = 0; pass < MAX_HTML_PASSES; pass++) {
    let t = removeBlocks(s);
    t = t.replace(POWER_RE, "$1^$2");
    t = stripTags(t);
    if (TAG_START.test(t)) t = t.replace(DANGLING_RE, (m, name: string) => (isElement(name) ? "" : m));
    if (t === s || !TAG_START.test(t)) return t;
    s = t;
  }
  return s;
}

// Comments, and script and style with their content, are removed; CDATA sections unwrapped.
function removeBlocks(s: string): string {
  if (s.includes("<!--")) s = removeSpans(s, /<!--/g, /-->/g, false);
  if (/<!\[CDATA\[/i.test(s)) s = removeSpans(s, /<!\[CDATA\[/gi, /\]\]>/g, true);
  if (/<script/i.test(s)) s = removeSpans(s, /<script(?:\s[^<>]*)?>/gi, /<\/script\s*>/gi, false);
  if (/<style/i.test(s)) s = removeSpans(s, /<style(?:\s[^<>]*)?>/gi, /<\/style\s*>/gi, false);
  return s.includes("<!") || s.includes("<?") ? s.replace(DECLARATION_RE, "") : s;
}

// Removes each `open ... close` span left to right (keeping the inner text when keepInner). An opener with
// no closer after it ends the scan, since no later opener can have one either: linear time on any input.
function removeSpans(s: string, open: RegExp, close: RegExp, keepInner: boolean): string {
  let out = "";
  let pos = 0;
  for (;;) {
    open.lastIndex = pos;
    const o = open.exec(s);
    if (!o) break;
    close.lastIndex = o.index + o[0].length;
    const c = close.exec(s);
    if (!c) break;
    out += s.slice(pos, o.index) + (keepInner ? s.slice(o.index + o[0].length, c.index) : "");
    pos = c.index + c[0].length;
  }
  return pos === 0 ? s : out + s.slice(pos);
}

function isElement(name: string): boolean {
  const n = name.toLowerCase();
  return ELEMENTS.has(n) || PLACEHOLDER_ELEMENTS.has(n);
}

// Block boundaries that end a line only once however many meet ("</tr><tr>", "</li><li>", "</div><div>"):
// written as a marker and resolved to one \n below; <br> is a hard break, and <br><br> a blank line.
const SOFT_BREAK = "\u0001";

function stripTags(s: string): string {
  const lists: { ordered: boolean; n: number }[] = [];
  const counterparts = new Counterparts(s);
  const out = s.replace(TAG_RE, (m, slash: string, name: string, attrs: string) => {
    const n = name.toLowerCase();
    const closing = slash === "/";
    if (closing && attrs) return m;
    if (!isMarkup(n, closing, attrs, counterparts)) return m;
    if (n === "br") return "\n";
    if (n === "li") {
      if (closing) return SOFT_BREAK;
      const top = lists[lists.length - 1];
      return top?.ordered ? `${SOFT_BREAK}${++top.n}. ` : `${SOFT_BREAK}- `;
    }
    if (n === "ul" || n === "ol") {
      if (closing) lists.pop();
      else lists.push({ ordered: n === "ol", n: 0 });
      return SOFT_BREAK;
    }
    if (PARAGRAPH.has(n)) return "\n\n";
    if (LINE.has(n)) return SOFT_BREAK;
    if (CELL.has(n)) return " ";
    return "";
  });
  return out.includes(SOFT_BREAK) ? out.replace(/\u0001(?: *\u0001)*/g, "\n") : out;
}

// Whether a candidate tag is markup: a known element (with real attributes: valued, or a known bare one); a
// placeholder-prone element with attributes, as a closing tag, or with its closing tag present; a namespaced
// Office/MathML tag; an unknown element with a quoted attribute value or whose counterpart tag is present.
function isMarkup(n: string, closing: boolean, attrs: string, counterparts: Counterparts): boolean {
  const known = ELEMENTS.has(n);
  const placeholder = !known && PLACEHOLDER_ELEMENTS.has(n);
  if (closing) return known || placeholder || n.includes(":") || counterparts.hasOpening(n);
  let quoted = 0;
  if (attrs) {
    ATTR_ONE.lastIndex = 0;
    for (let a = ATTR_ONE.exec(attrs); a; a = ATTR_ONE.exec(attrs)) {
      if (a[2] === undefined && !BARE_ATTRIBUTES.has(a[1].toLowerCase())) return false;
      if (a[2] !== undefined && (a[2][0] === '"' || a[2][0] === "'")) quoted++;
    }
  }
  if (known || n.includes(":")) return true;
  if (placeholder && attrs !== "") return true;
  return quoted > 0 || counterparts.hasClosing(n);
}

// Whether the text holds an opening `<name` or a closing `</name>` for a tag name, searched once per name
// (so a text with thousands of tags costs one scan per distinct name, not one per tag).
class Counterparts {
  private lower: string | null = null;
  private openings = new Map<string, boolean>();
  private closings = new Map<string, boolean>();
  constructor(private text: string) {}
  private get l(): string {
    return (this.lower ??= this.text.toLowerCase());
  }
  hasClosing(n: string): boolean {
    let v = this.closings.get(n);
    if (v === undefined) this.closings.set(n, (v = new RegExp(`</${n}\\s*>`).test(this.l)));
    return v;
  }
  hasOpening(n: string): boolean {
    let v = this.openings.get(n);
    if (v === undefined) this.openings.set(n, (v = new RegExp(`<${n}[\\s/>]`).test(this.l)));
    return v;
  }
}

// ---- items -------------------------------------------------------------------------------------------------

/** Cleans every text field of an item; returns the input object itself when nothing changed. */
export function cleanItem(item: QAItem): { item: QAItem; changed: string[] } {
  const question = cleanText(item.question);
  const options = item.options && cleanOptions(item.options, item.kind === "yesno");
  // mcq answers are option labels and yes/no/maybe answers are labels: trimmed (and lower-cased) only
  const answer = item.kind === "mcq" ? item.answer.trim() : item.kind === "yesno" ? item.answer.trim().toLowerCase() : cleanText(item.answer);
  const context = item.context && cleanPassages(item.context);
  const explanation = item.explanation === undefined ? undefined : cleanText(item.explanation);
  const subject = item.subject === undefined ? undefined : cleanText(item.subject);
  const same = question === item.question && options === item.options && answer === item.answer && context === item.context;
  if (same && explanation === item.explanation && subject === item.subject) return { item, changed: [] };

  const changed: string[] = [];
  const next: Partial<QAItem> = {};
  const raw: Record<string, unknown> = {};
  if (question !== item.question) {
    next.question = question;
    raw.question = item.question;
    changed.push("question");
  }
  if (options !== item.options) {
    next.options = options;
    raw.options = item.options!.map((o) => ({ ...o }));
    changed.push("options");
  }
  if (answer !== item.answer) {
    next.answer = answer;
    raw.answer = item.answer;
    changed.push("answer");
  }
  if (context !== item.context) {
    next.context = context;
    raw.context = item.context!.slice();
    changed.push("context");
  }
  // an optional field that cleans to "" is dropped below
  if (explanation !== item.explanation) {
    next.explanation = explanation;
    raw.explanation = item.explanation;
    changed.push("explanation");
  }
  if (subject !== item.subject) {
    next.subject = subject;
    raw.subject = item.subject;
    changed.push("subject");
  }
  // a field cleaned earlier keeps its first original
  const out: QAItem = { ...item, ...next, raw: { ...raw, ...item.raw } };
  if (out.explanation === "") delete out.explanation;
  if (out.subject === "") delete out.subject;
  return { item: out, changed };
}

// Options with cleaned texts and trimmed labels (lower-cased for yes/no items); the same array when none changed.
function cleanOptions(options: Option[], isYesNo: boolean): Option[] {
  let out: Option[] | null = null;
  for (let i = 0; i < options.length; i++) {
    const o = options[i];
    const label = isYesNo ? o.label.trim().toLowerCase() : o.label.trim();
    const text = cleanText(o.text);
    if (label === o.label && text === o.text) {
      if (out !== null) out.push(o);
      continue;
    }
    out ??= options.slice(0, i);
    out.push({ label, text });
  }
  return out ?? options;
}

// Cleaned passages, empty ones kept (alignment with per-passage metadata); the same array when none changed.
function cleanPassages(passages: string[]): string[] {
  let out: string[] | null = null;
  for (let i = 0; i < passages.length; i++) {
    const c = cleanText(passages[i]);
    if (out !== null) out.push(c);
    else if (c !== passages[i]) {
      out = passages.slice(0, i);
      out.push(c);
    }
  }
  return out ?? passages;
}
