import type { AttributeResult } from './attacks/attribute.js';
import type { AwareLinkage } from './attacks/aware_linkage.js';
import type { LinkageResult } from './attacks/linkage.js';
import type { MembershipResult } from './attacks/membership.js';
import type { Uniqueness } from './attacks/missingness.js';
import type { Reconstructions } from './attacks/reconstruction.js';
import type { BandShare, ColumnUtility, CorrelationUtility, HistogramBins } from './utility.js';

/** An attack that could not run on this release, and why. */
export interface Unavailable {
  unavailable: string;
}

export interface AwareLinkageReport extends AwareLinkage {
  /** Rows the attacker simulated to learn its likelihood ratios. */
  calibrationRows: number;
  trueCosMedian: number;
  randomCosSd: number;
  /** PRAM keep probability the attacker assumed for the categorical quasi-identifiers (1: no PRAM). */
  pramKeep: number;
}

export interface LogisticUtility {
  target: string;
  positive: string;
  /** Rows with a label in the training set (input targets or release) and in the test set (controls). */
  trainRows: number;
  testRows: number;
  features: number;
  /** ROC AUC on the controls of a model trained on the input targets. */
  realAuc: number;
  /** ROC AUC on the controls of a model trained on the release. */
  releaseAuc: number;
  /** ROC AUC on the controls of a model trained on the frame-only release. */
  frameOnlyAuc?: number;
}

export interface PrivacyReport {
  /**
   * Targets and controls the distance attacks ran on (all, unless a cap was set), and the
   * squared distance a categorical mismatch adds in the quasi-identifier space.
   */
  attacked: { targets: number; controls: number; ofTargets: number; ofControls: number; categoricalMismatch: number };
  reconstruction: Reconstructions | Unavailable;
  linkage: {
    numeric: LinkageResult | Unavailable;
    quasiIdentifiers: LinkageResult | Unavailable;
    missingness: LinkageResult | Unavailable;
    aware: AwareLinkageReport | Unavailable;
  };
  uniqueness: Uniqueness;
  membership: MembershipResult;
  attribute: AttributeResult[];
}

export interface UtilityReport {
  columns: ColumnUtility[];
  correlation: { pearson: CorrelationUtility; spearman: CorrelationUtility };
  bands: { column: string; bands: BandShare[] }[];
  logistic?: LogisticUtility | Unavailable;
}

/** Everything measured on one release (one operator setting). */
export interface SettingReport {
  label: string;
  operators: string[];
  releaseRows: number;
  privacy: PrivacyReport;
  utility: UtilityReport;
  /** Per numeric column, the release's shares in the input's histogram bins (for plots). */
  marginals: number[][];
  /** Seconds spent per step. */
  seconds: Record<string, number>;
}

export interface EvaluationReport {
  tool: 'ehr-geomask';
  kind: 'evaluation';
  version: string;
  createdAt: string;
  input: {
    file: string;
    rows: number;
    targets: number;
    controls: number;
    /** Origin of the targets and controls: a keyed split of the input, or files given for an audit. */
    split: { by: 'patient' | 'row'; controlShare: number; targetPatients?: number; controlPatients?: number } | { by: 'files'; release: string; control: string };
  };
  backend: { kind: string; device: string };
  columns: { numeric: string[]; categoricalQuasiIdentifiers: string[]; sensitive: string[]; target?: string };
  /** The input's side of the plots: histogram bins and shares, correlation matrices. */
  inputPlots: { bins: HistogramBins[]; marginals: number[][]; pearson: number[][]; spearman: number[][] };
  frameSummary?: object;
  settings: SettingReport[];
  seconds: number;
}

export function isUnavailable(value: object | undefined): value is Unavailable {
  return value !== undefined && 'unavailable' in value;
}
