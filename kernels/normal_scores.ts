import tgpu from 'typegpu';
import chachaSource from '../shaders/chacha20.wgsl';
import marginalSource from '../shaders/marginal.wgsl';
import normalSource from '../shaders/normal.wgsl';
import normalScoresSource from '../shaders/normal_scores.wgsl';
import rowsSource from '../shaders/rows.wgsl';
import type { MarginalTables } from '../src/frame/tables.js';
import { F32Array, StageParams, U32Array } from '../src/gpu/schemas.js';
import { specialize } from '../src/gpu/wgsl.js';
import { WORKGROUP_SIZE, type KernelDefinition } from '../src/gpu/runner.js';
import { gibbsConditionals } from '../src/reference/normal_scores.js';
import { columnConstants, fingerprint } from './codegen.js';

export const normalScoresLayout = tgpu.bindGroupLayout({
  params: { uniform: StageParams },
  x: { storage: U32Array },
  tables: { storage: F32Array },
  gibbs: { storage: F32Array },
  /** Stream words from the stream_words kernel under the same key (normalScoresWords per row). */
  words: { storage: U32Array },
  scores: { storage: F32Array, access: 'mutable' },
});

export interface NormalScoresSpec {
  tables: MarginalTables;
  sweeps: number;
}

/**
 * Gibbs coefficients as the kernel reads them: d × d conditional-mean coefficients
 * (row j: −Q_jk / Q_jj, 0 on the diagonal) followed by the d conditional standard
 * deviations. They live in a storage buffer, so one compiled pipeline serves every
 * precision matrix (each round of the fit has its own).
 */
export function gibbsBuffer(precision: Float64Array, d: number): Float32Array<ArrayBuffer> {
  const { coef, sd } = gibbsConditionals(precision, d);
  const out = new Float32Array(d * d + d);
  out.set(coef);
  out.set(sd, d * d);
  return out;
}

/**
 * Writes the WGSL of the scores z0 … z(d−1) as scalar variables. The parts are their
 * declaration, the store of `value` into z_j, the conditional mean Σ_k gibbs[j·d + k] z_k
 * (without the diagonal, which is 0) and the final writes. Each per-column part is a
 * case of a switch on j.
 */
function scoreVariables(d: number): Record<'Z_DECLARE' | 'Z_SET' | 'Z_MEAN' | 'Z_STORE', string> {
  const columns = Array.from({ length: d }, (_, j) => j);
  const cases = (body: (j: number) => string): string => `    switch (j) {\n${columns.map((j) => `      case ${j}u: { ${body(j)} }`).join('\n')}\n      default: {}\n    }`;
  return {
    Z_DECLARE: columns.map((j) => `  var z${j} = 0.0;`).join('\n'),
    Z_SET: cases((j) => `z${j} = value;`),
    Z_MEAN: cases((j) => `mean = ${columns.filter((k) => k !== j).map((k) => `gibbs[${j * d + k}u] * z${k}`).join(' + ') || '0.0'};`),
    Z_STORE: columns.map((j) => `  scores[${j}u * n + r] = z${j};`).join('\n'),
  };
}

/** Stream words one row's normal scores draw: one per column, then one per column and sweep. */
export function normalScoresWords(d: number, sweeps: number): number {
  return d * (1 + sweeps);
}

/**
 * Normal scores plus `sweeps` latent Gibbs sweeps; the precision matrix comes in the
 * `gibbs` binding (see gibbsBuffer).
 */
export function normalScoresKernel(spec: NormalScoresSpec): KernelDefinition {
  const d = spec.tables.d;
  return {
    name: 'normal_scores',
    key: `normal_scores:${d}:${spec.sweeps}:${fingerprint(spec.tables.data, spec.tables.sizes)}`,
    layout: normalScoresLayout,
    code: () => {
      const stage = specialize(normalScoresSource, {
        D: d,
        WORKGROUP_SIZE,
        SWEEPS: spec.sweeps,
        COLUMN_CONSTANTS: columnConstants(spec.tables),
        ...scoreVariables(d),
      });
      return [chachaSource, normalSource, rowsSource, marginalSource, stage].join('\n');
    },
  };
}
