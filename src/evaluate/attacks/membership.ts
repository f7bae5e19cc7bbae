import type { Engine } from '../../engine/engine.js';
import { neighboursOfTargetsAndControls } from '../neighbours.js';
import { rocAuc, rocCurve, tprAtFpr, type RocCurve } from '../roc.js';

export interface MembershipResult {
  /** 'patient' when rows were grouped by the patient column, else 'row'. */
  unit: 'patient' | 'row';
  targets: number;
  controls: number;
  /** ROC AUC of −(distance to the closest released row), targets as positives. */
  auc: number;
  /** True positive rate at 1% false positive rate. */
  tprAt1PercentFpr: number;
  roc: RocCurve;
}

/** Largest score per patient code (a patient is as exposed as their closest row). */
function perPatient(scores: Float64Array, patients: Int32Array): Float64Array {
  const best = new Map<number, number>();
  for (let i = 0; i < scores.length; i++) {
    const previous = best.get(patients[i]);
    if (previous === undefined || scores[i] > previous) best.set(patients[i], scores[i]);
  }
  return Float64Array.from(best.values());
}

/**
 * Membership inference by distance to the closest released row: members (targets) should
 * sit closer to the release than non-members (controls). Rows are embedded in the
 * standardized numeric space; with patients, each patient's score is that of their
 * closest row.
 */
export async function membershipInference(
  engine: Engine,
  release: Float32Array,
  targets: Float32Array,
  controls: Float32Array,
  d: number,
  patients?: { targets: Int32Array; controls: Int32Array },
  progress?: (rows: number, final?: boolean) => void,
): Promise<MembershipResult> {
  const targetCount = targets.length / d;
  const { distances } = await neighboursOfTargetsAndControls(engine, release, targets, controls, d, 1, progress);
  let member: Float64Array = Float64Array.from(distances.subarray(0, targetCount), (s) => -Math.sqrt(s));
  let other: Float64Array = Float64Array.from(distances.subarray(targetCount), (s) => -Math.sqrt(s));
  if (patients) {
    member = perPatient(member, patients.targets);
    other = perPatient(other, patients.controls);
  }
  return {
    unit: patients ? 'patient' : 'row',
    targets: member.length,
    controls: other.length,
    auc: rocAuc(member, other),
    tprAt1PercentFpr: tprAtFpr(member, other, 0.01),
    roc: rocCurve(member, other),
  };
}
