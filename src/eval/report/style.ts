// The report's stylesheet, inlined into report.html (no external fonts or files).
export const REPORT_CSS = `
:root{--ink:#1d2433;--muted:#5b6478;--line:#e3e7ef;--bg:#f6f8fb;--card:#fff;--accent:#0072B2;--good:#0f7b4f;--bad:#b42318;--warn-bg:#fdecea;--ok-bg:#e8f5ee}
*{box-sizing:border-box}
html{font-size:15px}
body{margin:0;background:var(--bg);color:var(--ink);font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;line-height:1.5}
header.top{background:linear-gradient(135deg,#10243e,#1b4b72);color:#fff;padding:28px 0 22px}
.wrap{max-width:1120px;margin:0 auto;padding:0 24px}
header.top h1{margin:0 0 4px;font-size:1.75rem;font-weight:650;letter-spacing:-.01em}
header.top .sub{opacity:.85;margin:0 0 14px}
.chips{display:flex;flex-wrap:wrap;gap:6px}
.chip{background:rgba(255,255,255,.12);border:1px solid rgba(255,255,255,.18);border-radius:999px;padding:2px 10px;font-size:.8rem}
.chip b{font-weight:600;opacity:.75;margin-right:4px}
nav.toc{position:sticky;top:0;z-index:2;background:rgba(246,248,251,.95);backdrop-filter:blur(4px);border-bottom:1px solid var(--line)}
nav.toc .wrap{display:flex;gap:18px;overflow-x:auto;padding-top:9px;padding-bottom:9px}
nav.toc a{color:var(--muted);text-decoration:none;font-size:.85rem;white-space:nowrap}
nav.toc a:hover{color:var(--accent)}
main{padding:18px 0 48px}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:18px 22px;margin:18px 0;box-shadow:0 1px 2px rgba(16,36,62,.04)}
section h2{margin:0 0 12px;font-size:1.2rem;font-weight:640}
section h3{margin:18px 0 8px;font-size:.98rem;font-weight:620;color:#2b3448}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:12px}
.card{border:1px solid var(--line);border-radius:9px;padding:12px 14px;background:#fbfcfe}
.card .label{font-size:.78rem;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.card .value{font-size:1.45rem;font-weight:650;margin-top:2px;font-variant-numeric:tabular-nums}
.card .hint{font-size:.78rem;color:var(--muted)}
.card.good{border-left:4px solid var(--good)}.card.bad{border-left:4px solid var(--bad)}
table{border-collapse:collapse;width:100%;font-size:.9rem;margin:4px 0}
th,td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:right;vertical-align:top}
th:first-child,td:first-child{text-align:left}
th{font-weight:600;color:#39425a;background:#f3f6fa;font-size:.82rem}
tbody tr:nth-child(even){background:#fafbfd}
.num{font-variant-numeric:tabular-nums}
.ci{color:var(--muted);font-size:.8em;white-space:nowrap;font-variant-numeric:tabular-nums}
.note{color:var(--muted);font-size:.84rem;margin:6px 0 0}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:16px}
figure{margin:0}
figcaption{font-size:.88rem;font-weight:600;margin-bottom:4px;color:#2b3448}
svg.chart{width:100%;height:auto;display:block;font-family:inherit}
svg .grid{stroke:#edf0f5;stroke-width:1}svg .axis{stroke:#9aa3b5;stroke-width:1}
svg .tk{fill:#6b7488;font-size:10.5px}svg .al{fill:#4a5468;font-size:11px}svg .lg{fill:#39425a;font-size:11px}
svg .shade{fill:rgba(180,35,24,.12)}svg .whisker{stroke:#1d2433;stroke-width:1.2;fill:none}
.samples{display:grid;gap:14px}
.cond{border:1px solid var(--line);border-radius:9px;padding:10px 12px}
.cond h3{margin:0 0 8px}
.panels{display:flex;flex-wrap:wrap;gap:14px}
.panel{flex:1 1 260px}
.panel .plabel{font-size:.78rem;color:var(--muted);text-transform:uppercase;letter-spacing:.04em;margin-bottom:4px}
.panel img{width:100%;max-width:420px;image-rendering:pixelated;border-radius:4px;border:1px solid var(--line);display:block}
.alert{border-radius:8px;padding:10px 14px;margin:4px 0 12px;font-size:.92rem}
.alert.bad{background:var(--warn-bg);color:#7a1c14;border:1px solid #f5c2bc}
.alert.ok{background:var(--ok-bg);color:#0c5a3a;border:1px solid #b7e1c9}
.empty{color:var(--muted);font-style:italic}
footer{color:var(--muted);font-size:.8rem;text-align:center;padding:0 0 28px}
ul.notes{margin:0;padding-left:18px;color:#39425a;font-size:.9rem}
@media print{nav.toc{display:none}section{break-inside:avoid;box-shadow:none}}
`;
