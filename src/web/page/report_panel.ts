import type { MarginalComparison, MarginalStats } from '../marginal_summary.js';
import { element, formatCount } from './dom.js';

/** Fields of the run report that the panel shows. */
interface RunReport {
  rows: number;
  operators: string[];
  backend: { kind: string; device: string };
  seconds: { total: number };
  rowsPerSecond: number;
  warnings: string[];
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '–';
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/** Decimals for means and SDs: enough to show a change against the column's spread. */
function digitsFor(stats: MarginalStats): number {
  if (!Number.isFinite(stats.sd) || stats.sd === 0) return 2;
  return Math.min(6, Math.max(1, 2 - Math.floor(Math.log10(stats.sd))));
}

function facts(entries: [string, string][]): HTMLDListElement {
  return element('dl', { class: 'facts' }, ...entries.flatMap(([term, value]) => [element('dt', {}, term), element('dd', {}, value)]));
}

function comparisonTable(comparison: MarginalComparison): HTMLElement {
  const number = (text: string): HTMLTableCellElement => element('td', { class: 'number' }, text);
  const heading = (text: string, numeric = true): HTMLTableCellElement => element('th', { scope: 'col', class: numeric ? 'number' : undefined }, text);
  const rows = comparison.columns.map((column) => {
    const digits = digitsFor(column.input);
    return element(
      'tr',
      {},
      element('th', { scope: 'row' }, column.unit ? `${column.name} (${column.unit})` : column.name),
      number(fixed(column.input.mean, digits)),
      number(fixed(column.release.mean, digits)),
      number(fixed(column.input.sd, digits)),
      number(fixed(column.release.sd, digits)),
      number(percent(column.input.missingShare)),
      number(percent(column.release.missingShare)),
      number(fixed(column.ks, 3)),
    );
  });
  const sampled = comparison.ksStep > 1 ? ` The KS distance uses every ${formatCount(comparison.ksStep)}th row.` : '';
  // The explanation sits above the scrolling region, so a narrow window shows all of it.
  return element(
    'div',
    {},
    element('p', { class: 'help' }, `Numeric columns, input against release: mean, standard deviation (SD), missing share and the Kolmogorov–Smirnov distance (KS, 0 = same distribution).${sampled}`),
    element(
      'div',
      { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Numeric columns: input against release' },
      element(
        'table',
        { class: 'summary-table', id: 'comparison-table' },
        element('caption', { class: 'visually-hidden' }, 'Numeric columns, input against release'),
        element('thead', {}, element('tr', {}, heading('Column', false), heading('Mean in'), heading('Mean out'), heading('SD in'), heading('SD out'), heading('Missing in'), heading('Missing out'), heading('KS'))),
        element('tbody', {}, ...rows),
      ),
    ),
  );
}

/**
 * Shows a plain summary of a finished run: rows and columns in and out, backend and
 * speed, and the marginal comparison per numeric column.
 */
function columnsText(input: number, released: number): string {
  const removed = input - released;
  const note = removed > 0 ? ` (${formatCount(removed)} identifier or dropped column${removed === 1 ? '' : 's'} removed)` : '';
  return `${formatCount(input)} in, ${formatCount(released)} released${note}`;
}

export function renderReport(panel: HTMLElement, report: RunReport, comparison: MarginalComparison): void {
  const summary = facts([
    ['Rows', `${formatCount(comparison.inputRows)} in, ${formatCount(comparison.releaseRows)} released`],
    ['Columns', columnsText(comparison.inputColumns, comparison.releaseColumns)],
    ['Operators', report.operators.join(', ')],
    ['Backend', `${report.backend.kind === 'gpu' ? 'WebGPU' : 'CPU'}: ${report.backend.device}`],
    ['Time', `${report.seconds.total.toFixed(2)} s in all, ${formatCount(report.rowsPerSecond)} rows/s in the apply pass`],
  ]);
  const warnings = report.warnings.map((text) => element('p', { class: 'warning' }, `Warning: ${text}`));
  panel.replaceChildren(element('h4', {}, 'Summary'), summary, ...warnings, comparisonTable(comparison));
}
