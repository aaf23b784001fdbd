/** Renders the report files: Markdown and self-contained HTML. */
import { reportCharts, renderSvg } from './charts';
import type { ExperimentResults } from './results';
import { reportTables, type ReportTable } from './tables';

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

function escapeMarkdownCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function runFacts(results: ExperimentResults): [string, string][] {
  const run = results.run;
  const m = run.machine;
  return [
    ['Started', run.startedAt],
    ['Ended', run.endedAt],
    ['Profile', run.profile],
    ['Target', run.target],
    ['Git commit', run.gitCommit ?? 'unknown (not a git checkout)'],
    ['Machine', `${m.os}; ${m.cpus} × ${m.cpuModel}; ${m.memoryGiB} GiB; Node.js ${m.node}`],
  ];
}

function markdownTable(table: ReportTable): string {
  const line = (cells: readonly string[]) => `| ${cells.map(escapeMarkdownCell).join(' | ')} |`;
  return [
    `## ${table.title}`,
    '',
    ...table.notes.flatMap((note) => [note, '']),
    line(table.headers),
    line(table.headers.map(() => '---')),
    ...table.rows.map(line),
    '',
  ].join('\n');
}

/** report.md: the run's facts and every table. */
export function renderMarkdown(results: ExperimentResults): string {
  return [
    '# Resilience experiment report',
    '',
    ...runFacts(results).map(([name, value]) => `- **${name}:** ${value}`),
    ...(results.run.notes ?? []).map((note) => `- ${note}`),
    '',
    'Figures: see report.html (latency vs load, availability per fault, failover timeline).',
    '',
    ...reportTables(results).map(markdownTable),
  ].join('\n');
}

function htmlTable(table: ReportTable): string {
  const cells = (tag: string, row: readonly string[]) =>
    `<tr>${row.map((cell) => `<${tag}>${escapeHtml(cell)}</${tag}>`).join('')}</tr>`;
  return `<section>
<h2>${escapeHtml(table.title)}</h2>
${table.notes.map((note) => `<p class="note">${escapeHtml(note)}</p>`).join('\n')}
<table id="${table.id}">
<thead>${cells('th', table.headers)}</thead>
<tbody>
${table.rows.map((row) => cells('td', row)).join('\n')}
</tbody>
</table>
</section>`;
}

const STYLE = `
body { font-family: sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f3f3f3; }
p.note { font-size: 0.85rem; color: #555; max-width: 60rem; }
figure { margin: 1.5rem 0; }
figcaption { font-size: 0.85rem; color: #555; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2rem 1rem; }
dt { font-weight: bold; }
`;

/** report.html: self-contained (inline CSS and SVG, no script, nothing fetched). */
export async function renderHtml(results: ExperimentResults): Promise<string> {
  const figures = await Promise.all(
    reportCharts(results).map(
      async (chart) => `<figure id="${chart.id}">
<h2>${escapeHtml(chart.title)}</h2>
${await renderSvg(chart.spec)}
<figcaption>${escapeHtml(chart.caption)}</figcaption>
</figure>`,
    ),
  );
  const tables = reportTables(results).map(htmlTable);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Resilience experiment report — ${escapeHtml(results.run.startedAt)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Resilience experiment report</h1>
<dl>
${runFacts(results)
  .map(([name, value]) => `<dt>${escapeHtml(name)}</dt><dd>${escapeHtml(value)}</dd>`)
  .join('\n')}
</dl>
${(results.run.notes ?? []).map((note) => `<p class="note">${escapeHtml(note)}</p>`).join('\n')}
${figures.join('\n')}
${tables.join('\n')}
</body>
</html>
`;
}
