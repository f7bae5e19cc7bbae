import { InputError } from '../errors.js';
import { cholesky } from '../frame/linalg.js';
import { RowStream } from '../prf/stream.js';
import { partition } from './partition.js';

/**
 * Groups for k-record mixing: the principal-axis median split continued until every
 * block holds fewer than 2k rows, so groups have k to 2k − 1 members. Members of a group
 * are contiguous in `order`; group g is order[offsets[g], offsets[g + 1]).
 */
export interface Groups {
  order: Uint32Array;
  offsets: Uint32Array;
}

// NOTE: groups are a discrete function of the whitened rows. The GPU's float32 rows and
// the CPU reference's float64 rows can put a row near a split on different sides, and the
// splits below follow, so the two backends' mix releases can differ in many rows.
export function formGroups(points: Float32Array, n: number, d: number, k: number, key: Uint32Array, patients?: Uint32Array): Groups {
  if (k < 2) throw new InputError(`mix needs k ≥ 2, got ${k}`, 'set mix(k=…) to 2 or more (10 is the high profile)');
  if (n < k) throw new InputError(`mix(k=${k}) needs at least ${k} rows to form a group, the input has ${n}`, 'lower k or give more rows');
  const tree = partition(points, d, n, { maxBlock: 2 * k - 1, key, variant: 0 });
  const groups: Groups = { order: tree.order, offsets: tree.offsets };
  if (patients) separatePatients(groups, patients);
  return groups;
}

/**
 * Swaps members between nearby groups until no patient appears twice in a group, so
 * every released row depends on at least k patients. Groups are searched outward from
 * the offending one (they are neighbours in the split order).
 */
function separatePatients(groups: Groups, patients: Uint32Array): void {
  const { order, offsets } = groups;
  const count = offsets.length - 1;
  const members = (g: number): [number, number] => [offsets[g], offsets[g + 1]];
  const has = (g: number, patient: number, except = -1): boolean => {
    const [start, end] = members(g);
    for (let i = start; i < end; i++) if (i !== except && patients[order[i]] === patient) return true;
    return false;
  };

  for (let g = 0; g < count; g++) {
    const [start, end] = members(g);
    for (let i = start; i < end; i++) {
      const patient = patients[order[i]];
      if (!hasEarlier(order, patients, start, i, patient)) continue;
      let swapped = false;
      for (let step = 1; step < count && !swapped; step++) {
        for (const h of [g + step, g - step]) {
          if (h < 0 || h >= count) continue;
          if (has(h, patient)) continue;
          const [hs, he] = members(h);
          for (let j = hs; j < he; j++) {
            const other = patients[order[j]];
            if (has(g, other, i)) continue;
            const row = order[i];
            order[i] = order[j];
            order[j] = row;
            swapped = true;
            break;
          }
          if (swapped) break;
        }
      }
      if (!swapped) {
        throw new InputError(
          `mix cannot keep the rows of one patient in different groups: a patient has more rows than there are groups (${count})`,
          'lower mix(k=…), or drop the patient column from the schema if rows are independent',
        );
      }
    }
  }
}

function hasEarlier(order: Uint32Array, patients: Uint32Array, start: number, i: number, patient: number): boolean {
  for (let j = start; j < i; j++) if (patients[order[j]] === patient) return true;
  return false;
}

/**
 * Share of the total variance that lies inside groups: Σ_G (m_G − 1) tr S_G over
 * (n − 1) tr S. The smaller, the nearer the members of a group are to each other.
 */
export function withinGroupShare(points: Float32Array, n: number, d: number, pooled: Float64Array, groups: Groups): number {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += points[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  let total = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) total += (points[i * d + j] - mean[j]) ** 2;
  let within = 0;
  for (let j = 0; j < d; j++) within += pooled[j * d + j];
  const degrees = n - (groups.offsets.length - 1);
  return total > 0 ? (within * degrees) / total : 0;
}

/** Pooled within-group covariance S_pool = Σ_G (m_G − 1) S_G / Σ_G (m_G − 1), and its Cholesky factor. */
export function pooledCovariance(points: Float32Array, d: number, groups: Groups): { covariance: Float64Array; factor: Float64Array } {
  const sum = new Float64Array(d * d);
  const centroid = new Float64Array(d);
  const deviation = new Float64Array(d);
  let degrees = 0;
  for (let g = 0; g + 1 < groups.offsets.length; g++) {
    const start = groups.offsets[g];
    const end = groups.offsets[g + 1];
    groupCentroid(points, d, groups.order, start, end, centroid);
    for (let i = start; i < end; i++) {
      const base = groups.order[i] * d;
      for (let j = 0; j < d; j++) deviation[j] = points[base + j] - centroid[j];
      for (let j = 0; j < d; j++) for (let l = 0; l <= j; l++) sum[j * d + l] += deviation[j] * deviation[l];
    }
    degrees += end - start - 1;
  }
  const covariance = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    for (let l = 0; l <= j; l++) {
      covariance[j * d + l] = sum[j * d + l] / degrees;
      covariance[l * d + j] = covariance[j * d + l];
    }
  }
  // A tiny ridge keeps the factor defined when the groups span fewer than d directions.
  for (let ridge = 0; ; ridge = ridge === 0 ? 1e-9 : ridge * 10) {
    const candidate = covariance.slice();
    for (let j = 0; j < d; j++) candidate[j * d + j] += ridge;
    const factor = cholesky(candidate, d);
    if (factor) return { covariance, factor };
    if (ridge > 1) throw new Error('pooled within-group covariance has no Cholesky factor');
  }
}

/** Centroid of every group, row-major (groups × d). */
export function groupCentroids(points: Float32Array, d: number, groups: Groups): Float64Array {
  const count = groups.offsets.length - 1;
  const out = new Float64Array(count * d);
  const centroid = new Float64Array(d);
  for (let g = 0; g < count; g++) {
    groupCentroid(points, d, groups.order, groups.offsets[g], groups.offsets[g + 1], centroid);
    out.set(centroid, g * d);
  }
  return out;
}

function groupCentroid(points: Float32Array, d: number, order: Uint32Array, start: number, end: number, out: Float64Array): void {
  out.fill(0);
  for (let i = start; i < end; i++) {
    const base = order[i] * d;
    for (let j = 0; j < d; j++) out[j] += points[base + j];
  }
  for (let j = 0; j < d; j++) out[j] /= end - start;
}

/**
 * First draw of η in a released row's stream: past the ξ draws of the largest group
 * (2k − 1 members), rounded up to a whole ChaCha20 block.
 */
export function mixEtaDraw(k: number): number {
  return 16 * Math.ceil((2 * k - 1) / 16);
}

export interface MixRequest {
  /** Whitened rows, row-major n × d. */
  points: Float32Array;
  n: number;
  d: number;
  groups: Groups;
  /** Row-major lower Cholesky factor of the pooled within-group covariance. */
  poolFactor: Float64Array;
  alpha: number;
  /** The group size parameter: groups hold k to 2k − 1 rows. */
  k: number;
  key: Uint32Array;
  /** Global index of each row, which selects its PRF stream. */
  rowIds: Float64Array;
}

/**
 * k-record Gaussian mixing, the CPU twin of shaders/mix.wgsl. The released row of
 * member r of group G (m members, centroid c, deviations d_t) is
 *   c + √(1 − α) m^(−1/2) Σ_t ξ_rt d_t + √(α (m − 1)/m) L_pool η_r
 * with ξ_r (draws 0 .. m−1) and η_r (draws mixEtaDraw(k) onwards) keyed normals of the
 * row's stream. Returns row-major n × d output rows at the members' positions.
 */
export function mixReference(request: MixRequest): Float32Array {
  const { points, d, groups, poolFactor, alpha } = request;
  const out = new Float32Array(request.n * d);
  const stream = new RowStream(request.key);
  const centroid = new Float64Array(d);
  const row = new Float64Array(d);
  const eta = new Float64Array(d);
  for (let g = 0; g + 1 < groups.offsets.length; g++) {
    const start = groups.offsets[g];
    const end = groups.offsets[g + 1];
    const m = end - start;
    groupCentroid(points, d, groups.order, start, end, centroid);
    const spread = Math.sqrt(1 - alpha) / Math.sqrt(m);
    const noise = Math.sqrt((alpha * (m - 1)) / m);
    for (let r = start; r < end; r++) {
      const target = groups.order[r];
      stream.seek(request.rowIds[target]);
      for (let j = 0; j < d; j++) row[j] = centroid[j];
      for (let t = 0; t < m; t++) {
        const xi = spread * stream.normal(t);
        const base = groups.order[start + t] * d;
        for (let j = 0; j < d; j++) row[j] += xi * (points[base + j] - centroid[j]);
      }
      const etaDraw = mixEtaDraw(request.k);
      for (let l = 0; l < d; l++) eta[l] = stream.normal(etaDraw + l);
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let l = 0; l <= j; l++) s += poolFactor[j * d + l] * eta[l];
        out[target * d + j] = row[j] + noise * s;
      }
    }
  }
  return out;
}

/**
 * Keyed permutation of each group's members: result[target row] = the row whose
 * categorical values (or sensitive values, under another key) the target releases.
 */
export function groupPermutation(groups: Groups, n: number, key: Uint32Array, rowIds: Float64Array): Uint32Array {
  const source = new Uint32Array(n);
  const stream = new RowStream(key);
  for (let g = 0; g + 1 < groups.offsets.length; g++) {
    const start = groups.offsets[g];
    const end = groups.offsets[g + 1];
    const members = Array.from(groups.order.subarray(start, end));
    stream.seek(rowIds[members[0]]);
    for (let i = members.length - 1; i > 0; i--) {
      const j = Math.floor(stream.uniform(members.length - 1 - i) * (i + 1));
      const t = members[i];
      members[i] = members[j];
      members[j] = t;
    }
    for (let i = 0; i < members.length; i++) source[groups.order[start + i]] = members[i];
  }
  return source;
}
