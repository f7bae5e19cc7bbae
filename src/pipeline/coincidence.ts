import type { Engine, NumericPipeline, RowStage } from '../engine/engine.js';
import type { LoadedFrame } from '../frame/frame.js';
import { batchRow, type Batch } from '../io/batch.js';
import type { ColumnFormatter } from './finalize.js';

/** Retries per row before a coincidence is reported instead of fixed. */
export const MAX_RETRIES = 8;

/**
 * Guarantees that no released row equals its source row on all numeric columns.
 * With count data a fresh draw can land on the very same values by chance (a few rows
 * in 100,000 on the diabetes table). Such a row is transformed again with keys derived
 * for retry 1, 2, … until it differs. The check and the retries depend only on the
 * key and the row, so every backend and batch size makes the same choice.
 */
export class CoincidenceGuard {
  private readonly pipelines = new Map<number, Promise<NumericPipeline>>();
  retried = 0;
  unresolved = 0;

  constructor(
    private readonly engine: Engine,
    private readonly frame: LoadedFrame,
    private readonly plan: (attempt: number) => { latentKey: Uint32Array; stages: RowStage[] },
    private readonly formatters: ColumnFormatter[],
  ) {}

  private pipeline(attempt: number): Promise<NumericPipeline> {
    let pipeline = this.pipelines.get(attempt);
    if (!pipeline) {
      const { latentKey, stages } = this.plan(attempt);
      pipeline = this.engine.createPipeline({ frame: this.frame, latentKey, sweeps: this.frame.frame.latent.sweeps, stages }, 1);
      this.pipelines.set(attempt, pipeline);
    }
    return pipeline;
  }

  /** Tells whether row r's released values equal its source values on every numeric column. */
  private coincides(batch: Batch, positions: Float32Array, r: number, rowPositions?: Float32Array): boolean {
    const n = batch.rows;
    const d = this.frame.d;
    let observed = 0;
    for (let j = 0; j < d; j++) {
      const source = batch.numeric64[j * n + r];
      if (Number.isNaN(source)) continue;
      observed++;
      const formatter = this.formatters[j];
      const position = rowPositions ? rowPositions[j] : positions[j * n + r];
      if (formatter.snap(formatter.value(position)) !== formatter.snap(source)) return false;
    }
    // A row with every numeric value missing passes through: there is nothing to change.
    return observed > 0;
  }

  /** Replaces, in place, the positions of rows that coincide with their source. */
  async fix(batch: Batch, positions: Float32Array): Promise<void> {
    const n = batch.rows;
    const d = this.frame.d;
    for (let r = 0; r < n; r++) {
      if (!this.coincides(batch, positions, r)) continue;
      this.retried++;
      const x = new Float32Array(d);
      for (let j = 0; j < d; j++) x[j] = batch.numeric[j * n + r];
      let fixed = false;
      for (let attempt = 1; attempt <= MAX_RETRIES && !fixed; attempt++) {
        const pipeline = await this.pipeline(attempt);
        const retry = await pipeline.run(x, { rows: 1, rowBase: batchRow(batch, r), rowStride: 1 });
        if (!this.coincides(batch, positions, r, retry)) {
          for (let j = 0; j < d; j++) positions[j * n + r] = retry[j];
          fixed = true;
        }
      }
      if (!fixed) this.unresolved++;
    }
  }

  async dispose(): Promise<void> {
    for (const pipeline of this.pipelines.values()) (await pipeline).dispose();
  }
}
