import type { NumericPipeline, RowStage, StageTimes } from '../engine/engine.js';
import { InputError } from '../errors.js';
import { batchRow, type Batch } from '../io/batch.js';
import { CodedColumn } from '../io/codes.js';
import { interpolateRows } from '../neighbours/interpolate.js';
import { formGroups, groupPermutation, pooledCovariance, withinGroupShare } from '../neighbours/mix.js';
import { DEFAULT_NEIGHBOUR_OPTIONS, findNeighbours, type NeighbourReport } from '../neighbours/search.js';
import type { ApplyJob, ApplySummary } from './apply.js';
import type { ResolvedOperator } from './operators.js';
import { ReleaseBuilder } from './release.js';

/** A run of operators: row-wise stages together, each neighbour operator alone. */
type Segment =
  | { kind: 'rows'; stages: RowStage[] }
  | { kind: 'interpolate'; op: Extract<ResolvedOperator, { op: 'interpolate' }>; position: number }
  | { kind: 'mix'; op: Extract<ResolvedOperator, { op: 'mix' }>; position: number };

export function hasNeighbourOperator(operators: readonly ResolvedOperator[]): boolean {
  return operators.some((op) => op.op === 'interpolate' || op.op === 'mix');
}

function segments(job: ApplyJob): Segment[] {
  const out: Segment[] = [{ kind: 'rows', stages: [] }];
  job.operators.forEach((op, position) => {
    const last = out[out.length - 1];
    if (op.op === 'rotate' || op.op === 'project') {
      const stage: RowStage = op.op === 'rotate' ? { op: 'rotate', params: op, key: job.keys.operator('rotate', position) } : { op: 'project', params: { k: op.k }, key: job.keys.operator('project', position) };
      if (last.kind === 'rows') last.stages.push(stage);
      else out.push({ kind: 'rows', stages: [stage] });
    } else if (op.op === 'interpolate' || op.op === 'mix') {
      out.push(op.op === 'mix' ? { kind: 'mix', op, position } : { kind: 'interpolate', op, position });
    }
  });
  return out;
}

/** Rows of a columnar d × rows buffer written into a row-major matrix at row `offset`. */
function storeRows(target: Float32Array, d: number, offset: number, columnar: Float32Array, rows: number): void {
  for (let r = 0; r < rows; r++) for (let j = 0; j < d; j++) target[(offset + r) * d + j] = columnar[j * rows + r];
}

function loadRows(source: Float32Array, d: number, offset: number, rows: number): Float32Array {
  const out = new Float32Array(d * rows);
  for (let r = 0; r < rows; r++) for (let j = 0; j < d; j++) out[j * rows + r] = source[(offset + r) * d + j];
  return out;
}

export interface NeighbourStageReport {
  operator: string;
  seconds: number;
  search?: NeighbourReport;
  groups?: { count: number; minRows: number; maxRows: number; withinGroupVarianceShare: number };
}

/**
 * Apply for operator lists with interpolate or mix, which need every row at once.
 * Pass one streams the input through normal scores, whitening and the row-wise
 * operators before the first neighbour operator, keeping the whitened rows
 * (4·d bytes per row) and the text columns as dictionary codes in memory. The
 * neighbour operators then run over all rows. mix also hands categorical and
 * missingness columns out by a keyed permutation within each group, and sensitive
 * columns by a second one. Later row-wise operators and back-mapping run in batches,
 * and the release is written batch by batch in a keyed order.
 */
export async function runNeighbourApply(job: ApplyJob): Promise<ApplySummary & { neighbourStages: NeighbourStageReport[] }> {
  const started = performance.now();
  const { plan, frame, keys, engine } = job;
  const d = frame.d;
  const batchRows = 65536;
  const times: StageTimes = {};
  const operatorSegments = segments(job);
  const first = operatorSegments[0] as Extract<Segment, { kind: 'rows' }>;

  // Pass one: whitened rows after the leading row-wise operators, and the text columns.
  const pipeline = await engine.createPipeline({ frame, latentKey: keys.stage('normal_scores', 0), sweeps: frame.frame.latent.sweeps, stages: first.stages, to: 'whitened' });
  // Emitted columns and the patient column are kept. Of a numeric column only the text
  // of its missing cells (such as "?") is kept, because the release writes it back.
  const kept = new Set([...plan.output.map((c) => c.source), ...(plan.patient === undefined ? [] : [plan.patient])]);
  const numericSources = new Set(plan.numeric.map((c) => c.source));
  const texts = new Map<number, CodedColumn>([...kept].map((source) => [source, new CodedColumn()]));
  let points: Float32Array = new Float32Array(1024 * d);
  let values: Float32Array = new Float32Array(1024 * d);
  let rowIds: Float64Array = new Float64Array(1024);
  let n = 0;
  const passStarted = performance.now();
  try {
    for await (const batch of job.batches) {
      const w = await pipeline.run(batch.numeric, { rows: batch.rows, rowBase: batch.firstRow, rowStride: batch.rowStride ?? 1 });
      while (n + batch.rows > rowIds.length) {
        const size = rowIds.length * 2;
        points = grow(points, size * d);
        values = grow(values, size * d);
        const ids = new Float64Array(size);
        ids.set(rowIds);
        rowIds = ids;
      }
      storeRows(points, d, n, w, batch.rows);
      storeRows(values, d, n, batch.numeric, batch.rows);
      for (let r = 0; r < batch.rows; r++) {
        rowIds[n + r] = batchRow(batch, r);
        for (const [source, column] of texts) {
          const text = batch.records[r][source];
          column.push(numericSources.has(source) && !plan.missingTokens.has(text) ? '' : text);
        }
      }
      n += batch.rows;
      job.progress?.(Math.floor(n / 2));
    }
  } finally {
    pipeline.dispose();
  }
  points = points.subarray(0, n * d);
  values = values.subarray(0, n * d);
  rowIds = rowIds.subarray(0, n);
  times.whiten_pass = performance.now() - passStarted;
  // An empty input or shard has no neighbours to search, so the caller writes its empty release.
  if (n === 0) {
    return { rows: 0, batches: 0, seconds: (performance.now() - started) / 1000, times, coincidences: { retried: 0, unresolved: 0 }, neighbourStages: [] };
  }

  // The neighbour operators and the row-wise segments between them.
  const reports: NeighbourStageReport[] = [];
  let categoricalSource: Uint32Array | undefined;
  let sensitiveSource: Uint32Array | undefined;
  for (const segment of operatorSegments.slice(1)) {
    const stageStarted = performance.now();
    if (segment.kind === 'rows') {
      points = await runRowSegment(job, segment.stages, points, n, d, rowIds);
      times.row_operators = (times.row_operators ?? 0) + performance.now() - stageStarted;
      continue;
    }
    if (segment.kind === 'interpolate') {
      const { result, report } = await findNeighbours(engine, points, n, d, { ...DEFAULT_NEIGHBOUR_OPTIONS, k: segment.op.knn, key: keys.stage('neighbours', segment.position) });
      points = interpolateRows(points, n, d, result, segment.op, keys.operator('interpolate', segment.position), rowIds);
      reports.push({ operator: 'interpolate', seconds: (performance.now() - stageStarted) / 1000, search: report });
      continue;
    }
    if (n < segment.op.k) {
      const k = segment.op.k;
      throw new InputError(
        `mix(k=${k}) needs at least ${k} rows to form a group, but the input has ${n}. Each shard or partition is mixed on its own, so each one needs at least ${k} rows, or none`,
        `give every shard or partition at least ${k} rows (use fewer, larger partitions, for example with Spark's coalesce), or pass --ops with a smaller k, such as mix(k=2)`,
        { file: plan.file },
      );
    }
    const patients = plan.patient === undefined ? undefined : patientCodes(texts.get(plan.patient)!, n);
    const groups = formGroups(points, n, d, segment.op.k, keys.stage('mix_groups', segment.position), patients);
    const pool = pooledCovariance(points, d, groups);
    const withinGroupVarianceShare = Number(withinGroupShare(points, n, d, pool.covariance, groups).toFixed(4));
    points = await engine.mix({ points, n, d, groups, poolFactor: pool.factor, alpha: segment.op.alpha, k: segment.op.k, key: keys.operator('mix', segment.position), rowIds });
    const categorical = groupPermutation(groups, n, keys.stage('mix_categorical', segment.position), rowIds);
    const sensitive = groupPermutation(groups, n, keys.stage('mix_sensitive', segment.position), rowIds);
    categoricalSource = compose(categoricalSource, categorical);
    sensitiveSource = compose(sensitiveSource, sensitive);
    let minRows = Infinity;
    let maxRows = 0;
    for (let g = 0; g + 1 < groups.offsets.length; g++) {
      minRows = Math.min(minRows, groups.offsets[g + 1] - groups.offsets[g]);
      maxRows = Math.max(maxRows, groups.offsets[g + 1] - groups.offsets[g]);
    }
    reports.push({ operator: 'mix', seconds: (performance.now() - stageStarted) / 1000, groups: { count: groups.offsets.length - 1, minRows, maxRows, withinGroupVarianceShare } });
  }

  // Back-mapping and the release, in batches of rows in input order.
  const backMap = await engine.createPipeline({ frame, latentKey: keys.stage('normal_scores', 0), sweeps: frame.frame.latent.sweeps, stages: [], from: 'whitened' }, batchRows);
  const release = new ReleaseBuilder(job);
  const sensitiveColumns = new Set(plan.output.filter((c) => c.role === 'sensitive').map((c) => c.source));
  let written = 0;
  let batches = 0;
  try {
    for (let start = 0; start < n; start += batchRows) {
      const rows = Math.min(batchRows, n - start);
      const positions = await backMap.run(loadRows(points, d, start, rows), { rows, rowBase: rowIds[start], rowStride: 1 });
      const batch = virtualBatch(start, rows, d, plan.header.length, texts, values, rowIds, sensitiveColumns, categoricalSource, sensitiveSource);
      const output = release.build(batch, positions);
      await job.writer.write(output.batch);
      if (job.rowMap) await job.rowMap(output.sourceRows);
      written += rows;
      batches++;
      job.progress?.(Math.floor(n / 2 + written / 2));
    }
  } finally {
    backMap.dispose();
  }
  return {
    rows: n,
    batches,
    seconds: (performance.now() - started) / 1000,
    times: { ...times, ...backMap.times, ...release.times },
    coincidences: { retried: 0, unresolved: 0 },
    neighbourStages: reports,
  };
}

function grow(array: Float32Array, size: number): Float32Array {
  const out = new Float32Array(size);
  out.set(array);
  return out;
}

/** Applies `next` after `previous`: row i releases previous[next[i]]'s values. */
function compose(previous: Uint32Array | undefined, next: Uint32Array): Uint32Array {
  if (!previous) return next;
  const out = new Uint32Array(next.length);
  for (let i = 0; i < next.length; i++) out[i] = previous[next[i]];
  return out;
}

function patientCodes(column: CodedColumn, n: number): Uint32Array {
  const codes = new Uint32Array(n);
  for (let i = 0; i < n; i++) codes[i] = column.code(i);
  return codes;
}

async function runRowSegment(job: ApplyJob, stages: RowStage[], points: Float32Array, n: number, d: number, rowIds: Float64Array): Promise<Float32Array> {
  const pipeline: NumericPipeline = await job.engine.createPipeline({ frame: job.frame, latentKey: job.keys.stage('normal_scores', 0), sweeps: 0, stages, from: 'whitened', to: 'whitened' });
  const out = new Float32Array(points.length);
  const batchRows = 65536;
  try {
    for (let start = 0; start < n; start += batchRows) {
      const rows = Math.min(batchRows, n - start);
      // Rows of a shard are evenly spaced in the whole input (i, i + n, …).
      const stride = rows > 1 ? rowIds[start + 1] - rowIds[start] : 1;
      if (rowIds[start + rows - 1] !== rowIds[start] + (rows - 1) * stride) {
        throw new InputError('row-wise operators after a neighbour operator need evenly spaced row indices', 'run the neighbour operator last, or on the whole input');
      }
      const w = await pipeline.run(loadRows(points, d, start, rows), { rows, rowBase: rowIds[start], rowStride: stride });
      storeRows(out, d, start, w, rows);
    }
  } finally {
    pipeline.dispose();
  }
  return out;
}

/**
 * Builds the batch of released rows [start, start + rows). Row i's categorical,
 * identifier, date and missingness cells come from row categoricalSource[i] (row i
 * itself without mix) and its sensitive cells from row sensitiveSource[i].
 */
function virtualBatch(
  start: number,
  rows: number,
  d: number,
  columns: number,
  texts: Map<number, CodedColumn>,
  values: Float32Array,
  rowIds: Float64Array,
  sensitiveColumns: Set<number>,
  categoricalSource: Uint32Array | undefined,
  sensitiveSource: Uint32Array | undefined,
): Batch {
  const records: string[][] = new Array(rows);
  const numeric64 = new Float64Array(d * rows);
  for (let r = 0; r < rows; r++) {
    const i = start + r;
    const from = categoricalSource ? categoricalSource[i] : i;
    const fromSensitive = sensitiveSource ? sensitiveSource[i] : i;
    const record: string[] = new Array(columns);
    for (const [source, column] of texts) record[source] = column.text(sensitiveColumns.has(source) ? fromSensitive : from);
    records[r] = record;
    for (let j = 0; j < d; j++) numeric64[j * rows + r] = Number.isNaN(values[from * d + j]) ? NaN : 0;
  }
  return {
    firstRow: start,
    rows,
    records,
    numeric64,
    numeric: new Float32Array(numeric64),
    rowIds: rowIds.subarray(start, start + rows),
  };
}
