import type { TopLevelSpec } from 'vega-lite';
import type { LinkageResult } from './attacks/linkage.js';
import { correlationCharts, gridChart, marginalCharts, membershipChart, type ReportChart } from './charts.js';
import { REPORT_STYLE } from './report_style.js';
import { isUnavailable, type EvaluationReport, type SettingReport, type Unavailable } from './report.js';
import { summarizeSetting } from './summary.js';

/**
 * Renders a Vega-Lite spec to a static SVG string with Vega's headless renderer. It needs
 * no DOM and no canvas, so it runs the same in Node and in a browser, and it estimates
 * text widths instead of measuring them. Expressions are interpreted from their syntax
 * tree instead of compiled with Function, so a page whose Content-Security-Policy
 * forbids eval can render too. Vega is imported on first use: loading it took about
 * 0.13 s of every command's start, and only the evaluator draws charts.
 */
export async function renderChartSvg(spec: TopLevelSpec): Promise<string> {
  const [{ parse, View }, { expressionInterpreter }, { compile }] = await Promise.all([import('vega'), import('vega-interpreter'), import('vega-lite')]);
  const view = new View(parse(compile(spec).spec, undefined, { ast: true }), { renderer: 'none', expr: expressionInterpreter });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const percent = (v: number) => (Number.isFinite(v) ? `${(100 * v).toFixed(2)}%` : 'n/a');
const fixed = (v: number, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

function table(header: string[], rows: (string | number)[][]): string {
  const head = header.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(String(cell))}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function linkageRow(name: string, result: LinkageResult | Unavailable): (string | number)[] {
  if (isUnavailable(result)) return [name, result.unavailable, '', '', ''];
  return [name, percent(result.accuracy), `${percent(result.interval.low)} – ${percent(result.interval.high)}`, percent(result.top5), percent(result.chance)];
}

function settingSection(setting: SettingReport, index: number): string {
  const { privacy, utility } = setting;
  const parts: string[] = [`<section class="setting"><h2>Setting ${index + 1}: ${escapeHtml(setting.label)}</h2>`, `<p>Operators: <code>${escapeHtml(setting.operators.join(', ') || 'none')}</code>; ${setting.releaseRows.toLocaleString('en-US')} released rows. Distance attacks ran on ${privacy.attacked.targets.toLocaleString('en-US')} of ${privacy.attacked.ofTargets.toLocaleString('en-US')} targets and ${privacy.attacked.controls.toLocaleString('en-US')} of ${privacy.attacked.ofControls.toLocaleString('en-US')} controls; a categorical mismatch adds ${fixed(privacy.attacked.categoricalMismatch)} to the squared distance.</p>`];

  const aware = privacy.linkage.aware;
  const linkageRows = [linkageRow('numeric columns (nearest released row)', privacy.linkage.numeric), linkageRow('all quasi-identifiers (categorical one-hot)', privacy.linkage.quasiIdentifiers), linkageRow('missingness pattern alone', privacy.linkage.missingness)];
  if (isUnavailable(aware)) linkageRows.push(['algorithm-aware', aware.unavailable, '', '', '']);
  else {
    linkageRows.push(linkageRow('algorithm-aware, numeric values', aware.numeric), linkageRow('algorithm-aware + categorical quasi-identifiers', aware.withCategorical), linkageRow('algorithm-aware + categoricals + missingness pattern', aware.withCategoricalAndMissingness));
  }
  parts.push('<h3>Record linkage</h3>', table(['attack', 'accuracy', '95% interval', 'top-5', 'chance'], linkageRows));

  const m = privacy.membership;
  parts.push('<h3>Membership inference</h3>', `<p>Distance to the closest released row, per ${m.unit}: ROC AUC <b>${fixed(m.auc)}</b>, true positive rate at 1% false positive rate ${percent(m.tprAt1PercentFpr)} (${m.targets.toLocaleString('en-US')} targets, ${m.controls.toLocaleString('en-US')} controls).</p>`);

  parts.push(
    '<h3>Attribute inference</h3>',
    table(
      ['sensitive column', 'kind', 'neighbours', 'targets', 'controls', 'risk', '95% interval'],
      privacy.attribute.flatMap((a) => a.neighbours.map((n) => [a.column, a.kind, n.k, percent(n.targets.rate), percent(n.controls.rate), fixed(n.risk), `${fixed(n.interval.low)} – ${fixed(n.interval.high)}`])),
    ),
    `<p>Rows unique on the categorical quasi-identifiers (${escapeHtml(privacy.uniqueness.columns.join(', ') || 'none')}): input ${percent(privacy.uniqueness.input)}, release ${percent(privacy.uniqueness.release)}.</p>`,
  );

  if (isUnavailable(privacy.reconstruction)) parts.push('<h3>Reconstruction</h3>', `<p>${escapeHtml(privacy.reconstruction.unavailable)}</p>`);
  else {
    const r = privacy.reconstruction;
    parts.push(
      '<h3>Reconstruction (RMSE / SD; share within 0.1 SD)</h3>',
      table(
        ['column', 'naive (order known)', `least squares, ${r.knownPairs.pairs} pairs`, `best linear, ${r.bestLinear.pairs} pairs`],
        r.naive.columns.map((c, j) => [c.column, `${fixed(c.rmseOverSd)}; ${percent(c.within01Sd)}`, `${fixed(r.knownPairs.columns[j].rmseOverSd)}; ${percent(r.knownPairs.columns[j].within01Sd)}`, `${fixed(r.bestLinear.columns[j].rmseOverSd)}; ${percent(r.bestLinear.columns[j].within01Sd)}`]),
      ),
    );
  }

  parts.push(
    '<h3>Utility per column</h3>',
    table(
      ['column', 'mean input', 'mean release', 'SD input', 'SD release', 'median input', 'median release', 'KS'],
      utility.columns.map((c) => [c.column, fixed(c.input.mean), fixed(c.release.mean), fixed(c.input.sd), fixed(c.release.sd), fixed(c.input.quantiles[3]), fixed(c.release.quantiles[3]), fixed(c.ks)]),
    ),
  );
  const { pearson, spearman } = utility.correlation;
  parts.push(
    table(
      ['correlation change', 'max vs input', 'Frobenius vs input', 'max vs frame-only release', 'Frobenius vs frame-only release'],
      [pearson, spearman].map((c) => [c.method, fixed(c.vsInput.max), fixed(c.vsInput.frobenius), fixed(c.vsFrameOnly?.max ?? NaN), fixed(c.vsFrameOnly?.frobenius ?? NaN)]),
    ),
  );
  for (const band of utility.bands) {
    parts.push(`<h4>Clinical bands: ${escapeHtml(band.column)}</h4>`, table(['band', 'input', 'release'], band.bands.map((b) => [b.name, percent(b.input), percent(b.release)])));
  }
  if (utility.logistic) {
    if (isUnavailable(utility.logistic)) parts.push(`<p>Logistic regression: ${escapeHtml(utility.logistic.unavailable)}.</p>`);
    else {
      const l = utility.logistic;
      parts.push(`<p>Logistic regression for <code>${escapeHtml(l.target)} = ${escapeHtml(l.positive)}</code>, tested on the controls: ROC AUC <b>${fixed(l.releaseAuc)}</b> trained on the release, ${fixed(l.realAuc)} trained on the input${l.frameOnlyAuc === undefined ? '' : `, ${fixed(l.frameOnlyAuc)} trained on the frame-only release`}.</p>`);
    }
  }
  parts.push('</section>');
  return parts.join('\n');
}

function figure(chart: ReportChart, svg: string): string {
  return `<figure class="plot" id="${chart.id}"><figcaption>${escapeHtml(chart.title)}</figcaption>${svg}</figure>`;
}

/**
 * Renders the evaluation report as one self-contained HTML page: tables of every
 * headline figure and static SVG plots, with no script and no network access at view time.
 */
export async function renderReportHtml(report: EvaluationReport): Promise<string> {
  const render = async (charts: ReportChart[]) => (await Promise.all(charts.map(async (c) => figure(c, await renderChartSvg(c.spec))))).join('\n');
  const summaries = report.settings.map(summarizeSetting);
  const input = report.input;
  const split =
    input.split.by === 'files'
      ? `release ${escapeHtml(input.split.release)}, controls ${escapeHtml(input.split.control)}`
      : `keyed split by ${input.split.by}, ${percent(input.split.controlShare)} held back as controls`;

  const sections = [
    `<h1>ehr-geomask evaluation</h1>`,
    `<p>Input <code>${escapeHtml(input.file)}</code>: ${input.targets.toLocaleString('en-US')} targets (released) and ${input.controls.toLocaleString('en-US')} controls (never released); ${split}. Backend: ${escapeHtml(report.backend.device)}. Written ${escapeHtml(report.createdAt)}.</p>`,
    '<h2>Privacy and utility per setting</h2>',
    table(
      ['setting', 'numeric linkage', 'QI linkage', 'aware linkage', 'aware + categorical', 'membership AUC', 'attribute risk', 'max Δ Spearman', 'max KS', 'logistic AUC (real)'],
      summaries.map((s) => [s.label, percent(s.numericLinkage), percent(s.quasiIdentifierLinkage), percent(s.awareLinkage), percent(s.awareLinkageWithCategorical), fixed(s.membershipAuc), fixed(s.attributeRisk), fixed(s.spearmanMax), fixed(s.ksMax), Number.isNaN(s.logisticAuc) ? 'n/a' : `${fixed(s.logisticAuc)} (${fixed(s.logisticAucReal)})`]),
    ),
    `<div class="plots">${await render([gridChart(report), membershipChart(report)])}</div>`,
    '<h2>Marginals: input and release</h2>',
    `<div class="plots">${await render(marginalCharts(report))}</div>`,
    '<h2>Correlations</h2>',
    `<div class="plots">${await render(correlationCharts(report))}</div>`,
    ...report.settings.map(settingSection),
  ];
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>ehr-geomask evaluation: ${escapeHtml(input.file)}</title><style>${REPORT_STYLE}</style></head>\n<body>\n${sections.join('\n')}\n</body></html>\n`;
}
