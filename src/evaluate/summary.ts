import type { LinkageResult } from './attacks/linkage.js';
import { isUnavailable, type EvaluationReport, type SettingReport, type Unavailable } from './report.js';

/** The headline figures of one setting: what the privacy–utility table and chart show. */
export interface SettingSummary {
  label: string;
  /** Linkage accuracy on the numeric columns, on all quasi-identifiers, and of the aware attack with categoricals. */
  numericLinkage: number;
  quasiIdentifierLinkage: number;
  awareLinkage: number;
  awareLinkageWithCategorical: number;
  membershipAuc: number;
  /** Largest attribute-inference risk over sensitive columns and both neighbour counts. */
  attributeRisk: number;
  /** Largest change of a pairwise Spearman correlation against the input. */
  spearmanMax: number;
  /** Largest Kolmogorov–Smirnov distance over the numeric columns. */
  ksMax: number;
  logisticAuc: number;
  logisticAucReal: number;
}

function accuracy(result: LinkageResult | Unavailable): number {
  return isUnavailable(result) ? NaN : result.accuracy;
}

export function summarizeSetting(setting: SettingReport): SettingSummary {
  const { privacy, utility } = setting;
  const aware = privacy.linkage.aware;
  const risks = privacy.attribute.flatMap((a) => a.neighbours.map((n) => n.risk)).filter((r) => !Number.isNaN(r));
  const logistic = utility.logistic && !isUnavailable(utility.logistic) ? utility.logistic : undefined;
  return {
    label: setting.label,
    numericLinkage: accuracy(privacy.linkage.numeric),
    quasiIdentifierLinkage: accuracy(privacy.linkage.quasiIdentifiers),
    awareLinkage: isUnavailable(aware) ? NaN : aware.numeric.accuracy,
    awareLinkageWithCategorical: isUnavailable(aware) ? NaN : aware.withCategorical.accuracy,
    membershipAuc: privacy.membership.auc,
    attributeRisk: risks.length > 0 ? Math.max(...risks) : NaN,
    spearmanMax: utility.correlation.spearman.vsInput.max,
    ksMax: Math.max(...utility.columns.map((c) => c.ks)),
    logisticAuc: logistic?.releaseAuc ?? NaN,
    logisticAucReal: logistic?.realAuc ?? NaN,
  };
}

const percent = (v: number) => (Number.isNaN(v) ? 'n/a' : `${(100 * v).toFixed(2)}%`);
const fixed = (v: number) => (Number.isNaN(v) ? 'n/a' : v.toFixed(3));

/** Formats the privacy–utility table as Markdown, one row per setting. */
export function privacyUtilityTable(report: EvaluationReport): string {
  const header = ['setting', 'numeric linkage', 'QI linkage', 'aware linkage', 'aware + categorical', 'membership AUC', 'attribute risk', 'max Δ Spearman', 'max KS', 'logistic AUC (real)'];
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`];
  for (const setting of report.settings) {
    const s = summarizeSetting(setting);
    const cells = [
      s.label,
      percent(s.numericLinkage),
      percent(s.quasiIdentifierLinkage),
      percent(s.awareLinkage),
      percent(s.awareLinkageWithCategorical),
      fixed(s.membershipAuc),
      fixed(s.attributeRisk),
      fixed(s.spearmanMax),
      fixed(s.ksMax),
      Number.isNaN(s.logisticAuc) ? 'n/a' : `${fixed(s.logisticAuc)} (${fixed(s.logisticAucReal)})`,
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}
