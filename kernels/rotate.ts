import tgpu from 'typegpu';
import chachaSource from '../shaders/chacha20.wgsl';
import chiSource from '../shaders/chi.wgsl';
import normalSource from '../shaders/normal.wgsl';
import rotateSource from '../shaders/rotate.wgsl';
import rowsSource from '../shaders/rows.wgsl';
import { F32Array, StageParams } from '../src/gpu/schemas.js';
import { f32Literal, specialize } from '../src/gpu/wgsl.js';
import { WORKGROUP_SIZE, type KernelDefinition } from '../src/gpu/runner.js';
import type { RotateParams } from '../src/reference/rotate.js';

export const rotateLayout = tgpu.bindGroupLayout({
  params: { uniform: StageParams },
  w: { storage: F32Array, access: 'mutable' },
});

/** Geodesic rotation with radius jitter, in place on whitened rows. */
export function rotateKernel(params: RotateParams, d: number): KernelDefinition {
  return {
    name: 'rotate',
    key: `rotate:${d}:${params.thetaMin}:${params.thetaMax}:${params.rho}`,
    layout: rotateLayout,
    code: () =>
      [
        chachaSource,
        normalSource,
        rowsSource,
        chiSource,
        specialize(rotateSource, {
          D: d,
          WORKGROUP_SIZE,
          THETA_MIN: f32Literal(params.thetaMin),
          THETA_SPAN: f32Literal(params.thetaMax - params.thetaMin),
          RHO: f32Literal(params.rho),
          JITTER: f32Literal(Math.sqrt(Math.max(0, 1 - params.rho * params.rho))),
          KEEP_RADIUS: params.rho === 1,
        }),
      ].join('\n'),
  };
}
