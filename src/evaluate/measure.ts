import type { Engine } from '../engine/engine.js';
import type { LoadedFrame } from '../frame/frame.js';
import type { RunKeys } from '../pipeline/keys.js';
import { describeOperator, type ResolvedOperator } from '../pipeline/operators.js';
import { OTHER } from '../pipeline/pram.js';
import type { Schema } from '../schema/schema.js';
import { attributeInference, type SensitiveColumn } from './attacks/attribute.js';
import { awareLinkage, RULED_OUT, type CategoricalEvidence } from './attacks/aware_linkage.js';
import { AttackerWhitening, calibrateAwareModel, simulationStages } from './attacks/aware_model.js';
import { recordLinkage } from './attacks/linkage.js';
import { membershipInference } from './attacks/membership.js';
import { countValues, missingnessLinkage, PatternIds, uniqueness } from './attacks/missingness.js';
import { reconstructionAttacks } from './attacks/reconstruction.js';
import type { EvalColumns } from './columns.js';
import type { EvalDictionaries } from './loader.js';
import type { LogisticTask } from './logistic_utility.js';
import type { AwareLinkageReport, PrivacyReport, SettingReport, Unavailable, UtilityReport } from './report.js';
import { selectRows, numericColumn, type EvalRows } from './rows.js';
import { embed, spaceDimensions, type SpaceSpec, type Standardizer } from './space.js';
import { bandShares, columnUtility, correlations, histogramShares, matrixDifference, type HistogramBins } from './utility.js';

/** Reports progress of a step: rows done, and whether the step finished. */
export type StepProgress = (stage: string, total: number) => (rows: number, final?: boolean) => void;

/** Data that every release of one evaluation is measured against. */
export interface EvaluationData {
  columns: EvalColumns;
  dictionaries: EvalDictionaries;
  schema: Schema;
  targets: EvalRows;
  controls: EvalRows;
  scale: Standardizer;
  bins: HistogramBins[];
  /** The frame fitted on the targets, when known (the aware attack and the frame-only comparison need it). */
  frame?: LoadedFrame;
  /** The targets released with no operator: the frame's own effect on them. */
  frameOnly?: EvalRows;
  /** Indices of the targets and controls the distance attacks run on. */
  query: { targets: Int32Array; controls: Int32Array };
  logistic?: LogisticTask;
  /** Rows the aware attacker simulates to learn its likelihood ratios. */
  calibrationRows: number;
  /** Squared distance per categorical mismatch in the quasi-identifier space. */
  categoricalMismatch: number;
}

/** A release to measure: its rows in output order and, when known, each row's source target. */
export interface ReleaseUnderTest {
  label: string;
  operators: ResolvedOperator[];
  release: EvalRows;
  sourceRows?: Int32Array;
}

function unavailable(reason: string): Unavailable {
  return { unavailable: reason };
}

/** Numbers of a sensitive column's codes, and which codes are missing tokens. */
function sensitiveColumn(data: EvaluationData, k: number, release: EvalRows): SensitiveColumn {
  const dictionary = data.dictionaries.text[k];
  const missing = Uint8Array.from(dictionary.values, (t) => (data.columns.missingTokens.has(t) ? 1 : 0));
  const numberOf = Float64Array.from(dictionary.values, (t, code) => (missing[code] || t.trim() === '' ? NaN : Number(t)));
  const present = numberOf.filter((_, code) => !missing[code]);
  // A sensitive column with more than 20 distinct numbers is a measurement, not a category.
  const numeric = present.length > 20 && present.every((v) => Number.isFinite(v));
  return {
    name: data.columns.text[k],
    kind: numeric ? 'numeric' : 'categorical',
    release: release.text[k],
    targets: selectCodes(data.targets.text[k], data.query.targets),
    controls: selectCodes(data.controls.text[k], data.query.controls),
    numberOf,
    missing,
  };
}

function selectCodes(codes: Int32Array, indices: Int32Array): Int32Array {
  return Int32Array.from(indices, (i) => codes[i]);
}

/** Builds the evidence of each categorical quasi-identifier for the aware attack (see CategoricalEvidence). */
function categoricalEvidence(data: EvaluationData, release: EvalRows, pramKeep: number, frame: LoadedFrame): CategoricalEvidence[] {
  return data.columns.categoricalQi.map((k) => {
    const dictionary = data.dictionaries.text[k];
    const size = dictionary.size;
    const counts = countValues(release.text[k]);
    const categories = new Set(frame.frame.categorical.find((c) => c.name === data.columns.text[k])?.categories ?? []);
    const isMissing = (code: number) => code < size && data.columns.missingTokens.has(dictionary.values[code]);
    const unchanged = (code: number) => pramKeep >= 1 || isMissing(code);
    const match = new Float64Array(size + 1).fill(RULED_OUT);
    const mismatch = new Float64Array(size + 1);
    for (let code = 0; code <= size; code++) {
      const share = (counts.get(code) ?? 0) / release.count;
      if (share > 0) match[code] = unchanged(code) ? -Math.log(share) : Math.log(pramKeep / share + 1 - pramKeep);
      mismatch[code] = unchanged(code) ? RULED_OUT : Math.log(1 - pramKeep);
    }
    // The target's category as PRAM saw it: rare categories were merged into "other".
    const targets = Int32Array.from(data.query.targets, (i) => {
      const code = data.targets.text[k][i];
      const text = dictionary.values[code];
      if (pramKeep >= 1 || isMissing(code) || categories.has(text)) return code;
      const other = dictionary.find(OTHER);
      return other === -1 ? size : other;
    });
    return { targets, release: release.text[k], match, mismatch };
  });
}

function pramKeepOf(operators: readonly ResolvedOperator[]): number {
  const pram = operators.find((op) => op.op === 'pram');
  return pram && pram.op === 'pram' ? pram.keep : 1;
}

async function awareAttack(engine: Engine, data: EvaluationData, test: ReleaseUnderTest, truth: Int32Array, keys: RunKeys, progress: StepProgress): Promise<AwareLinkageReport | Unavailable> {
  if (!data.frame) return unavailable('no frame: pass the frame the release was made with');
  const stages = simulationStages(test.operators, keys);
  if (typeof stages === 'string') return unavailable(stages);
  const frame = data.frame;
  const model = await calibrateAwareModel(engine, frame, stages, test.release.numeric, keys, data.calibrationRows);
  const whitening = new AttackerWhitening(frame);
  const targets = whitening.whiten(data.targets.numeric, data.query.targets);
  const release = whitening.whiten(test.release.numeric);
  const pramKeep = pramKeepOf(test.operators);
  const ids = new PatternIds();
  const releasePatterns = ids.of(test.release);
  const targetPatterns = ids.of(selectRows(data.targets, data.query.targets));
  const counts = countValues(releasePatterns);
  const match = Float64Array.from({ length: ids.size }, (_, id) => (counts.has(id) ? Math.log(test.release.count / counts.get(id)!) : RULED_OUT));
  const result = awareLinkage(
    model,
    targets,
    release,
    categoricalEvidence(data, test.release, pramKeep, frame),
    { targets: targetPatterns, release: releasePatterns, match },
    truth,
    progress('aware linkage', truth.length),
  );
  return { ...result, calibrationRows: model.calibrationRows, trueCosMedian: model.trueCosMedian, randomCosSd: model.randomCosSd, pramKeep };
}

async function timed<T>(seconds: Record<string, number>, step: string, work: () => Promise<T> | T): Promise<T> {
  const started = performance.now();
  const result = await work();
  seconds[step] = Number(((performance.now() - started) / 1000).toFixed(3));
  return result;
}

/** Runs every attack and utility measure on one release. */
export async function measureRelease(engine: Engine, data: EvaluationData, test: ReleaseUnderTest, keys: RunKeys, progress: StepProgress): Promise<SettingReport> {
  const { columns, targets, controls, scale, query } = data;
  const { release } = test;
  const seconds: Record<string, number> = {};
  const d = columns.numeric.length;
  const numericSpace: SpaceSpec = { numeric: columns.numeric.map((_, j) => j), categorical: [] };
  const qiSpace: SpaceSpec = {
    numeric: columns.numericQi.flatMap((qi, j) => (qi ? [j] : [])),
    categorical: columns.categoricalQi.map((column) => ({ column, size: data.dictionaries.text[column].size })),
    mismatch: data.categoricalMismatch,
  };

  // Which released row each target became, when the release's row map is known.
  let truth: Int32Array | undefined;
  let releaseOf: Int32Array | undefined;
  if (test.sourceRows) {
    releaseOf = new Int32Array(targets.count).fill(-1);
    test.sourceRows.forEach((source, out) => (releaseOf![source] = out));
    truth = Int32Array.from(query.targets, (t) => releaseOf![t]);
  }
  const noMap = unavailable('no row map: pass the row map written with the release to score linkage and reconstruction');

  const numericRelease = embed(release, numericSpace, scale);
  const numericTargets = embed(targets, numericSpace, scale, query.targets);
  const qiRelease = embed(release, qiSpace, scale);
  const qiTargets = embed(targets, qiSpace, scale, query.targets);
  const qiDims = spaceDimensions(qiSpace);

  const privacy: PrivacyReport = {
    attacked: { targets: query.targets.length, controls: query.controls.length, ofTargets: targets.count, ofControls: controls.count, categoricalMismatch: data.categoricalMismatch },
    reconstruction: releaseOf
      ? await timed(seconds, 'reconstruction', () => reconstructionAttacks(columns.numeric, targets, release, releaseOf!, scale, keys.stage('evaluate_pairs', 0)))
      : noMap,
    linkage: {
      numeric: truth ? await timed(seconds, 'linkageNumeric', () => recordLinkage(engine, numericTargets, numericRelease, d, truth!, progress('linkage (numeric)', truth!.length))) : noMap,
      quasiIdentifiers: truth ? await timed(seconds, 'linkageQuasiIdentifiers', () => recordLinkage(engine, qiTargets, qiRelease, qiDims, truth!, progress('linkage (quasi-identifiers)', truth!.length))) : noMap,
      missingness: truth
        ? await timed(seconds, 'linkageMissingness', () => {
            const ids = new PatternIds();
            return missingnessLinkage(ids.of(targets), ids.of(release), truth!, query.targets);
          })
        : noMap,
      aware: truth ? await timed(seconds, 'linkageAware', () => awareAttack(engine, data, test, truth!, keys, progress)) : noMap,
    },
    uniqueness: uniqueness(columns.categoricalQi.map((k) => columns.text[k]), targets, release, columns.categoricalQi),
    membership: await timed(seconds, 'membership', () =>
      membershipInference(
        engine,
        numericRelease,
        numericTargets,
        embed(controls, numericSpace, scale, query.controls),
        d,
        targets.patient && controls.patient ? { targets: selectCodes(targets.patient, query.targets), controls: selectCodes(controls.patient, query.controls) } : undefined,
        progress('membership', query.targets.length + query.controls.length),
      ),
    ),
    attribute: await timed(seconds, 'attribute', () =>
      attributeInference(
        engine,
        qiRelease,
        qiTargets,
        embed(controls, qiSpace, scale, query.controls),
        qiDims,
        columns.sensitive.map((k) => sensitiveColumn(data, k, release)),
        progress('attribute inference', query.targets.length + query.controls.length),
      ),
    ),
  };

  const utility = await timed(seconds, 'utility', () => measureUtility(data, release));
  return {
    label: test.label,
    operators: test.operators.map(describeOperator),
    releaseRows: release.count,
    privacy,
    utility,
    marginals: data.bins.map((bins, j) => histogramShares(bins, numericColumn(release, j))),
    seconds,
  };
}

function measureUtility(data: EvaluationData, release: EvalRows): UtilityReport {
  const { columns, targets } = data;
  const correlation = (method: 'pearson' | 'spearman') => {
    const matrix = correlations(release, method);
    return {
      method,
      release: matrix,
      vsInput: matrixDifference(matrix, correlations(targets, method)),
      vsFrameOnly: data.frameOnly ? matrixDifference(matrix, correlations(data.frameOnly, method)) : undefined,
    };
  };
  const bands = columns.numeric.map((name) => data.schema.columns.find((c) => c.name === name)?.bands);
  return {
    columns: columnUtility(columns.numeric, targets, release),
    correlation: { pearson: correlation('pearson'), spearman: correlation('spearman') },
    bands: bandShares(columns.numeric, bands, targets, release),
    logistic: data.logistic ? data.logistic.measure(release) : unavailable('no target column: name one with --target COLUMN[=VALUE] (command line only)'),
  };
}
