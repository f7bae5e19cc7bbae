import tgpu from 'typegpu';
import backMapSource from '../shaders/back_map.wgsl';
import chachaSource from '../shaders/chacha20.wgsl';
import marginalSource from '../shaders/marginal.wgsl';
import normalSource from '../shaders/normal.wgsl';
import rowsSource from '../shaders/rows.wgsl';
import type { MarginalTables } from '../src/frame/tables.js';
import { F32Array, StageParams } from '../src/gpu/schemas.js';
import { specialize } from '../src/gpu/wgsl.js';
import { WORKGROUP_SIZE, type KernelDefinition } from '../src/gpu/runner.js';
import { columnConstants, fingerprint, linearCombination, UNROLL_MAX_D } from './codegen.js';

export const backMapLayout = tgpu.bindGroupLayout({
  params: { uniform: StageParams },
  w: { storage: F32Array },
  tables: { storage: F32Array },
  /** Row-major L, read only by frames wider than UNROLL_MAX_D (narrower ones bake it in). */
  cholesky: { storage: F32Array },
  positions: { storage: F32Array, access: 'mutable' },
});

function unwhitenAndPosition(cholesky: Float64Array, d: number): { constants: string; code: string } {
  if (d > UNROLL_MAX_D) {
    return {
      constants: '',
      code: `  var v: array<f32, D>;
  for (var j = 0u; j < D; j++) {
    v[j] = w[j * n + r];
  }
  for (var j = 0u; j < D; j++) {
    var z = 0.0;
    for (var k = 0u; k <= j; k++) {
      z += cholesky[j * D + k] * v[k];
    }
    positions[j * n + r] = score_position(j, z);
  }`,
    };
  }
  const lines: string[] = [];
  for (let j = 0; j < d; j++) lines.push(`  let v${j} = w[${j}u * n + r];`);
  for (let j = 0; j < d; j++) {
    lines.push(`  let z${j} = ${linearCombination(cholesky.subarray(j * d, j * d + j + 1), (k) => `v${k}`, 0, j + 1)};`);
    lines.push(`  positions[${j}u * n + r] = score_position(${j}u, z${j});`);
  }
  return { constants: '', code: lines.join('\n') };
}

/** z' = L w', then each column's marginal position (table index or knot position). */
export function backMapKernel(tables: MarginalTables, cholesky: Float64Array): KernelDefinition {
  const d = tables.d;
  return {
    name: 'back_map',
    key: `back_map:${d}:${fingerprint(tables.data, tables.sizes, cholesky)}`,
    layout: backMapLayout,
    code: () => {
      const body = unwhitenAndPosition(cholesky, d);
      const stage = specialize(backMapSource, {
        D: d,
        WORKGROUP_SIZE,
        COLUMN_CONSTANTS: columnConstants(tables),
        MATRIX_CONSTANTS: body.constants,
        UNWHITEN_AND_POSITION: body.code,
      });
      return [chachaSource, normalSource, rowsSource, marginalSource, stage].join('\n');
    },
  };
}
