import { isUnavailable, type EvaluationReport } from '../../evaluate/report.js';
import { summarizeSetting } from '../../evaluate/summary.js';
import { element, formatCount } from './dom.js';

function percent(share: number): string {
  return Number.isFinite(share) ? `${(share * 100).toFixed(2)}%` : 'not measured';
}

function fixed(value: number): string {
  return Number.isFinite(value) ? value.toFixed(3) : 'not measured';
}

/** Risk is (targets − controls) / (1 − controls): 0 or below means no gain over the controls. */
function attributeRiskText(risk: number): string {
  if (!Number.isFinite(risk)) return 'not measured';
  if (risk <= 0) return `no gain over the never-released controls (largest risk ${fixed(risk)}; 0 means none, 1 means every value guessed)`;
  return `largest risk ${fixed(risk)} (0 means no gain over the never-released controls, 1 means every value guessed)`;
}

function facts(entries: [string, string][]): HTMLDListElement {
  return element('dl', { class: 'facts', id: 'evaluation-facts' }, ...entries.flatMap(([term, value]) => [element('dt', {}, term), element('dd', {}, value)]));
}

/**
 * Shows the evaluator's report: its headline figures as text, and the whole HTML report
 * (tables and plots) in a frame. The frame's `sandbox` runs no script and gives the
 * report an opaque origin; its document inherits the page's Content-Security-Policy.
 */
export function renderEvaluation(panel: HTMLElement, report: EvaluationReport, html: string): void {
  const setting = summarizeSetting(report.settings[0]);
  const numeric = report.settings[0].privacy.linkage.numeric;
  const chance = isUnavailable(numeric) ? '' : ` (chance ${percent(numeric.chance)})`;
  const { input } = report;
  const split = input.split.by === 'files' ? '' : `, split by ${input.split.by}`;
  const headline = facts([
    ['Split', `${formatCount(input.targets)} targets released in memory, ${formatCount(input.controls)} controls never released${split}`],
    ['Record linkage', `${percent(setting.numericLinkage)} on numeric columns, ${percent(setting.quasiIdentifierLinkage)} on all quasi-identifiers${chance}`],
    ['Algorithm-aware linkage', `${percent(setting.awareLinkage)} on numeric values, ${percent(setting.awareLinkageWithCategorical)} with categorical quasi-identifiers${chance}`],
    ['Membership inference', `ROC AUC ${fixed(setting.membershipAuc)} (0.5 is chance)`],
    ['Attribute inference', attributeRiskText(setting.attributeRisk)],
    ['Utility', `largest KS distance ${fixed(setting.ksMax)}, largest change of a Spearman correlation ${fixed(setting.spearmanMax)}`],
  ]);
  const frame = element('iframe', { class: 'report-frame', id: 'evaluation-frame', title: 'Evaluation report: tables and plots', sandbox: true });
  frame.srcdoc = html;
  const guide = element(
    'p',
    { class: 'help' },
    'Linkage is the share of targets an attacker matches to their own released row: the closer to chance, the better. ' +
      'The algorithm-aware attacker also knows the operators and their public parameters, and with categorical quasi-identifiers it is the strongest attack measured. ' +
      'A membership AUC near 0.5 means the release does not tell targets from controls.',
  );
  panel.replaceChildren(element('h4', {}, 'Headline figures'), headline, guide, element('h4', {}, 'Full report'), frame);
}
