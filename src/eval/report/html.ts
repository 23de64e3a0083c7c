// HTML building blocks for the self-contained report: escaping of every string that comes from data (model
// outputs can contain anything, including markup, control characters and lone surrogates), number formatting
// that never prints NaN into markup, and small table helpers.

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for HTML/SVG text and attribute values; drops control characters and repairs lone surrogates. */
export function escapeHtml(value: unknown): string {
  const s = typeof value === "string" ? value : value === null || value === undefined ? "" : String(value);
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "")
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd")
    .replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Shortens text to `max` code points with an ellipsis. */
export function truncate(text: string, max: number): string {
  const cps = [...text.replace(/\s+/g, " ").trim()];
  return cps.length <= max ? cps.join("") : `${cps.slice(0, Math.max(1, max - 1)).join("")}…`;
}

/** Whether a value is a finite number. */
export function isFiniteNumber(x: unknown): x is number {
  return typeof x === "number" && Number.isFinite(x);
}

/** A number for display with `digits` decimals; "n/a" for missing or non-finite values. */
export function fmt(x: number | null | undefined, digits = 3): string {
  return isFiniteNumber(x) ? x.toFixed(digits) : "n/a";
}

/** A p-value for display ("<0.001" below 0.001). */
export function fmtP(p: number | null | undefined): string {
  if (!isFiniteNumber(p)) return "n/a";
  if (p < 0.001) return "<0.001";
  return p.toFixed(3);
}

/** An estimate with its interval: "0.734 [0.701, 0.766]". */
export function fmtInterval(value: number | null | undefined, lo?: number | null, hi?: number | null, digits = 3): string {
  const v = fmt(value, digits);
  if (!isFiniteNumber(lo) || !isFiniteNumber(hi)) return v;
  return `${v} [${fmt(lo, digits)}, ${fmt(hi, digits)}]`;
}

/** Significance marks for a p-value: *** < 0.001, ** < 0.01, * < alpha, else "n.s.". */
export function significanceMark(p: number | null | undefined, alpha = 0.05): string {
  if (!isFiniteNumber(p)) return "";
  if (p < 0.001 && alpha >= 0.001) return "***";
  if (p < 0.01 && alpha >= 0.01) return "**";
  if (p < alpha) return "*";
  return "n.s.";
}

/** A table cell's content: raw HTML (already escaped) or plain text (escaped here). */
export type Cell = string | number | null | undefined | { html: string; className?: string };

function cellHtml(c: Cell, tag: "td" | "th"): string {
  if (c !== null && typeof c === "object") return `<${tag}${c.className ? ` class="${escapeHtml(c.className)}"` : ""}>${c.html}</${tag}>`;
  if (typeof c === "number") return `<${tag} class="num">${escapeHtml(isFiniteNumber(c) ? String(c) : "n/a")}</${tag}>`;
  return `<${tag}>${escapeHtml(c ?? "")}</${tag}>`;
}

/** An HTML table from a header row and body rows. */
export function table(header: readonly string[], rows: readonly (readonly Cell[])[], opts: { className?: string; caption?: string } = {}): string {
  const cls = opts.className ? ` class="${escapeHtml(opts.className)}"` : "";
  const caption = opts.caption ? `<caption>${escapeHtml(opts.caption)}</caption>` : "";
  const head = `<thead><tr>${header.map((h) => cellHtml(h, "th")).join("")}</tr></thead>`;
  const body = `<tbody>${rows.map((r) => `<tr>${r.map((c) => cellHtml(c, "td")).join("")}</tr>`).join("")}</tbody>`;
  return `<div class="table-wrap"><table${cls}>${caption}${head}${body}</table></div>`;
}

/** A slug usable as an element id (letters, digits, dashes). */
export function slug(text: string): string {
  const s = text.normalize("NFKD").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  return s === "" ? "x" : s;
}
