import tgpu from 'typegpu';
import chachaSource from '../shaders/chacha20.wgsl';
import rowsSource from '../shaders/rows.wgsl';
import whitenSource from '../shaders/whiten.wgsl';
import { F32Array, StageParams } from '../src/gpu/schemas.js';
import { f32Literal, specialize } from '../src/gpu/wgsl.js';
import { WORKGROUP_SIZE, type KernelDefinition } from '../src/gpu/runner.js';
import { fingerprint, linearCombination, UNROLL_MAX_D } from './codegen.js';

export const whitenLayout = tgpu.bindGroupLayout({
  params: { uniform: StageParams },
  z: { storage: F32Array },
  /** Row-major L, read only by frames wider than UNROLL_MAX_D (narrower ones bake it in). */
  cholesky: { storage: F32Array },
  w: { storage: F32Array, access: 'mutable' },
});

function forwardSubstitution(cholesky: Float64Array, d: number): { constants: string; code: string } {
  if (d > UNROLL_MAX_D) {
    return {
      constants: '',
      code: `  var v: array<f32, D>;
  for (var j = 0u; j < D; j++) {
    var s = z[j * n + r];
    for (var k = 0u; k < j; k++) {
      s -= cholesky[j * D + k] * v[k];
    }
    v[j] = s / cholesky[j * D + j];
    w[j * n + r] = v[j];
  }`,
    };
  }
  const lines: string[] = [];
  for (let j = 0; j < d; j++) {
    const below = j > 0 ? ` - (${linearCombination(cholesky.subarray(j * d, j * d + j), (k) => `v${k}`, 0, j)})` : '';
    lines.push(`  let v${j} = (z[${j}u * n + r]${below}) * ${f32Literal(1 / cholesky[j * d + j])};`);
    lines.push(`  w[${j}u * n + r] = v${j};`);
  }
  return { constants: '', code: lines.join('\n') };
}

/** w = L⁻¹ z with the Cholesky factor (row-major, lower) baked in. */
export function whitenKernel(cholesky: Float64Array, d: number): KernelDefinition {
  return {
    name: 'whiten',
    key: `whiten:${d}:${fingerprint(cholesky)}`,
    layout: whitenLayout,
    code: () => {
      const body = forwardSubstitution(cholesky, d);
      // chacha20.wgsl is included because rows.wgsl defines row_stream.
      return [chachaSource, rowsSource, specialize(whitenSource, { D: d, WORKGROUP_SIZE, MATRIX_CONSTANTS: body.constants, FORWARD_SUBSTITUTION: body.code })].join('\n');
    },
  };
}
