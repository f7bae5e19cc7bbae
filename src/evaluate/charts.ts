import type { TopLevelSpec } from 'vega-lite';
import { isUnavailable, type EvaluationReport } from './report.js';
import { summarizeSetting } from './summary.js';

/** A chart of the report: a Vega-Lite spec with inline data, and what it shows. */
export interface ReportChart {
  id: string;
  title: string;
  spec: TopLevelSpec;
}

const FONT = { font: 'sans-serif', axis: { labelFont: 'sans-serif', titleFont: 'sans-serif' }, legend: { labelFont: 'sans-serif', titleFont: 'sans-serif', labelLimit: 240 } };

function binCentre(edges: number[], i: number, discrete: boolean): number {
  return discrete ? edges[i] : (edges[i] + edges[i + 1]) / 2;
}

/** Builds one chart per numeric column with the input's marginal against each release's. */
export function marginalCharts(report: EvaluationReport): ReportChart[] {
  return report.inputPlots.bins.map((bins, j) => {
    const values: { x: number; share: number; series: string }[] = [];
    const add = (series: string, shares: number[]) => shares.forEach((share, i) => values.push({ x: binCentre(bins.edges, i, bins.discrete), share, series }));
    add('input', report.inputPlots.marginals[j]);
    for (const setting of report.settings) add(setting.label, setting.marginals[j]);
    return {
      id: `marginal-${j}`,
      title: `${bins.column}: input and release`,
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        width: 260,
        height: 150,
        config: FONT,
        data: { values },
        mark: { type: 'line', point: bins.discrete, interpolate: bins.discrete ? 'linear' : 'step' },
        encoding: {
          x: { field: 'x', type: 'quantitative', title: bins.column, scale: { zero: false } },
          y: { field: 'share', type: 'quantitative', title: 'share of rows' },
          color: { field: 'series', type: 'nominal', title: null, sort: ['input', ...report.settings.map((s) => s.label)] },
        },
      },
    };
  });
}

function heatmap(id: string, title: string, names: string[], matrix: number[][], domain: [number, number]): ReportChart {
  const values: { a: string; b: string; value: number }[] = [];
  names.forEach((a, i) => names.forEach((b, k) => values.push({ a, b, value: Number.isNaN(matrix[i][k]) ? 0 : matrix[i][k] })));
  const size = Math.max(120, Math.min(420, 14 * names.length));
  return {
    id,
    title,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: size,
      height: size,
      config: FONT,
      data: { values },
      mark: 'rect',
      encoding: {
        x: { field: 'a', type: 'nominal', sort: names, title: null, axis: { labelAngle: -60 } },
        y: { field: 'b', type: 'nominal', sort: names, title: null },
        color: { field: 'value', type: 'quantitative', title: null, scale: { scheme: 'redblue', domain, reverse: true } },
      },
    },
  };
}

/** Builds heatmaps of the Spearman correlation of the input, of each release, and of their difference. */
export function correlationCharts(report: EvaluationReport): ReportChart[] {
  const names = report.columns.numeric;
  const charts = [heatmap('correlation-input', 'Spearman correlation, input', names, report.inputPlots.spearman, [-1, 1])];
  report.settings.forEach((setting, s) => {
    const release = setting.utility.correlation.spearman.release;
    const difference = release.map((row, i) => row.map((v, k) => v - report.inputPlots.spearman[i][k]));
    const largest = Math.max(0.05, ...difference.flat().filter((v) => !Number.isNaN(v)).map(Math.abs));
    charts.push(heatmap(`correlation-release-${s}`, `Spearman correlation, release (${setting.label})`, names, release, [-1, 1]));
    charts.push(heatmap(`correlation-difference-${s}`, `release − input (${setting.label})`, names, difference, [-largest, largest]));
  });
  return charts;
}

/** Builds the ROC curves of the membership attack, one line per setting, with the chance diagonal. */
export function membershipChart(report: EvaluationReport): ReportChart {
  const values: { fpr: number; tpr: number; series: string }[] = [];
  for (const setting of report.settings) {
    const { roc, auc } = setting.privacy.membership;
    roc.fpr.forEach((fpr, i) => values.push({ fpr, tpr: roc.tpr[i], series: `${setting.label} (AUC ${auc.toFixed(3)})` }));
  }
  return {
    id: 'membership-roc',
    title: 'Membership inference: ROC curve',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: 300,
      height: 300,
      config: FONT,
      layer: [
        {
          data: { values: [{ fpr: 0, tpr: 0 }, { fpr: 1, tpr: 1 }] },
          mark: { type: 'line', strokeDash: [4, 4], color: '#999' },
          encoding: { x: { field: 'fpr', type: 'quantitative' }, y: { field: 'tpr', type: 'quantitative' } },
        },
        {
          data: { values },
          mark: 'line',
          encoding: {
            x: { field: 'fpr', type: 'quantitative', title: 'false positive rate (controls flagged)', scale: { domain: [0, 1] } },
            y: { field: 'tpr', type: 'quantitative', title: 'true positive rate (targets flagged)', scale: { domain: [0, 1] } },
            color: { field: 'series', type: 'nominal', title: null },
          },
        },
      ],
    },
  };
}

/**
 * Builds the privacy–utility chart: aware linkage with categoricals (the attack that decides
 * the profiles) against the logistic ROC AUC, or against the largest Spearman change
 * when no target column was named. A setting that the aware attack cannot simulate
 * (mix, interpolate) is placed by its linkage on all quasi-identifiers instead.
 */
export function gridChart(report: EvaluationReport): ReportChart {
  const summaries = report.settings.map(summarizeSetting);
  const withLogistic = report.settings.every((s) => s.utility.logistic && !isUnavailable(s.utility.logistic));
  const values = summaries.map((s) => {
    const aware = !Number.isNaN(s.awareLinkageWithCategorical);
    return {
      setting: aware ? s.label : `${s.label} (quasi-identifier linkage)`,
      risk: aware ? s.awareLinkageWithCategorical : s.quasiIdentifierLinkage,
      utility: withLogistic ? s.logisticAuc : s.spearmanMax,
    };
  });
  const utilityTitle = withLogistic ? 'logistic ROC AUC, trained on the release' : 'largest change of a Spearman correlation';
  return {
    id: 'privacy-utility',
    title: 'Privacy against utility, per setting',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: 360,
      height: 260,
      config: FONT,
      data: { values },
      encoding: {
        x: { field: 'risk', type: 'quantitative', title: 'linkage accuracy: aware with categoricals', axis: { format: '.2~%' } },
        y: { field: 'utility', type: 'quantitative', title: utilityTitle, scale: { zero: false }, axis: { format: '.3~f' } },
      },
      layer: [
        { mark: { type: 'point', filled: true, size: 80 }, encoding: { color: { field: 'setting', type: 'nominal', legend: null } } },
        { mark: { type: 'text', dx: 6, align: 'left', baseline: 'middle' }, encoding: { text: { field: 'setting', type: 'nominal' } } },
      ],
    },
  };
}
