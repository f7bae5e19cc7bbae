import type { BatchRows } from '../reference/batch.js';
import { backMap } from '../reference/back_map.js';
import { normalScores } from '../reference/normal_scores.js';
import { project } from '../reference/project.js';
import { rotate } from '../reference/rotate.js';
import { whiten } from '../reference/whiten.js';
import type { Engine, NumericPipeline, NumericPlan, StageTimes } from './engine.js';
import { inverseFromCholesky } from '../frame/linalg.js';
import { mixReference, type MixRequest } from '../neighbours/mix.js';
import { knnReference, type KnnRequest, type KnnResult } from '../reference/knn.js';

/** The TypeScript reference of every stage, run on the calling thread. */
export class CpuEngine implements Engine {
  readonly kind = 'cpu';
  readonly device = 'CPU reference (TypeScript)';

  async createPipeline(plan: NumericPlan): Promise<NumericPipeline> {
    const { frame } = plan;
    const d = frame.d;
    const model = { tables: frame.tables, precision: inverseFromCholesky(frame.cholesky, d), sweeps: plan.sweeps };
    const times: StageTimes = {};
    const timed = <T>(name: string, work: () => T): T => {
      const start = performance.now();
      const result = work();
      times[name] = (times[name] ?? 0) + performance.now() - start;
      return result;
    };

    return {
      times,
      async run(x: Float32Array, batch: BatchRows): Promise<Float32Array> {
        const n = batch.rows;
        let w: Float32Array;
        if (plan.from === 'whitened') {
          w = x.slice();
        } else {
          const z = new Float32Array(d * n);
          w = new Float32Array(d * n);
          timed('normal_scores', () => normalScores(x, batch, model, plan.latentKey, z));
          timed('whiten', () => whiten(z, n, d, frame.cholesky, w));
        }
        for (const stage of plan.stages) {
          if (stage.op === 'rotate') timed('rotate', () => rotate(w, batch, d, stage.params, stage.key));
          else timed('project', () => project(w, batch, d, stage.params, stage.key));
        }
        if (plan.to === 'whitened') return w;
        const positions = new Float32Array(d * n);
        timed('back_map', () => backMap(w, n, frame.tables, frame.cholesky, positions));
        return positions;
      },
      dispose() {},
    };
  }

  readonly scoreLatent = async (x: Float32Array, batch: BatchRows, model: Parameters<typeof normalScores>[2], key: Uint32Array): Promise<Float32Array> => {
    const z = new Float32Array(x.length);
    normalScores(x, batch, model, key, z);
    return z;
  };

  async knn(request: KnnRequest): Promise<KnnResult> {
    return knnReference(request);
  }

  async mix(request: MixRequest): Promise<Float32Array> {
    return mixReference(request);
  }

  destroy(): void {}
}
