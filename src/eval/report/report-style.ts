// The report's stylesheet, inlined into the page (no external assets): readable tables, charts that scale to
// the page width, colours that survive greyscale printing (bars are told apart by tone as well as hue).

/** Inline CSS of the report. */
export const REPORT_CSS = `
:root { --fg: #1d2430; --muted: #5b6472; --line: #d6dbe3; --bg: #ffffff; --panel: #f6f8fb; --a: #4c72b0; --b: #dd8452; --bad: #b3261e; --good: #1e7b34; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 64px; }
header.top { border-bottom: 2px solid var(--fg); margin-bottom: 18px; padding-bottom: 10px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 16px; margin: 24px 0 8px; }
h4 { font-size: 14px; margin: 16px 0 6px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.muted, .subtitle { color: var(--muted); }
nav.toc { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; margin: 12px 0 4px; }
nav.toc ul { margin: 4px 0; padding-left: 18px; }
nav.toc a { color: var(--a); text-decoration: none; }
section.run, section.comparison { margin-top: 8px; }
.table-wrap { overflow-x: auto; margin: 8px 0 12px; }
table { border-collapse: collapse; font-size: 13px; min-width: 40%; }
caption { text-align: left; color: var(--muted); padding-bottom: 4px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: var(--panel); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.mono { white-space: nowrap; }
td.mono, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
td.excerpt { max-width: 520px; white-space: pre-wrap; word-break: break-word; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
tr.overall td { font-weight: 600; }
.sig { color: var(--good); font-weight: 600; }
.ns { color: var(--muted); }
.broke { color: var(--bad); font-weight: 600; }
.fixed { color: var(--good); font-weight: 600; }
.warn { background: #fff4e5; border: 1px solid #f0c48a; border-radius: 6px; padding: 8px 12px; margin: 8px 0; }
dl.protocol { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; margin: 8px 0 12px; font-size: 12.5px; }
dl.protocol dt { color: var(--muted); }
dl.protocol dd { margin: 0; font-family: ui-monospace, Menlo, Consolas, monospace; word-break: break-all; }
.charts { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
figure { margin: 6px 0 12px; display: table; }
figcaption { display: table-caption; caption-side: bottom; color: var(--muted); font-size: 12.5px; padding-top: 4px; }
svg.chart { max-width: 100%; height: auto; font-family: inherit; }
svg.chart .grid { stroke: #e6e9ef; stroke-width: 1; }
svg.chart .frame { fill: none; stroke: #9aa3b1; stroke-width: 1; }
svg.chart .tick { font-size: 10px; fill: var(--muted); }
svg.chart .axis-label { font-size: 11px; fill: var(--muted); }
svg.chart .row-label { font-size: 12px; fill: var(--fg); }
svg.chart .row-label.strong { font-weight: 700; }
svg.chart .row-value { font-size: 11px; fill: var(--fg); font-variant-numeric: tabular-nums; }
svg.chart .row-value.small { fill: var(--muted); font-style: italic; }
svg.chart .row-value.significant { fill: var(--good); font-weight: 700; }
svg.chart .legend { font-size: 11px; fill: var(--fg); }
svg.chart .bar { fill: #a9bedf; }
svg.chart .bar.small { fill: #d7e0ee; }
svg.chart .bar.overall { fill: #6f8fc4; }
svg.chart .bar-a { fill: var(--a); }
svg.chart .bar-b { fill: var(--b); }
svg.chart .whisker { stroke: #1d2430; stroke-width: 1.3; }
svg.chart .point { fill: #1d2430; }
svg.chart .diagonal { stroke: #8c95a3; stroke-width: 1.2; stroke-dasharray: 5 4; }
svg.chart .bin { fill: #a9bedf; fill-opacity: .75; stroke: #6f8fc4; }
svg.chart .gap { stroke: var(--bad); stroke-width: 2; stroke-opacity: .6; }
svg.chart .count { font-size: 9px; fill: var(--muted); }
svg.chart .curve { fill: none; stroke: var(--a); stroke-width: 2; }
footer { margin-top: 40px; border-top: 1px solid var(--line); padding-top: 10px; color: var(--muted); font-size: 12.5px; }
@media print { nav.toc { display: none; } h2 { break-before: auto; } section { break-inside: avoid-page; } }
`;
