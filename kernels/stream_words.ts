import tgpu from 'typegpu';
import chachaSource from '../shaders/chacha20.wgsl';
import rowsSource from '../shaders/rows.wgsl';
import streamWordsSource from '../shaders/stream_words.wgsl';
import { StageParams, U32Array } from '../src/gpu/schemas.js';
import { specialize } from '../src/gpu/wgsl.js';
import { WORKGROUP_SIZE, type KernelDefinition } from '../src/gpu/runner.js';

export const streamWordsLayout = tgpu.bindGroupLayout({
  params: { uniform: StageParams },
  words: { storage: U32Array, access: 'mutable' },
});

/** Invocations of a stream_words dispatch over `rows` rows: one per row and block. */
export function streamWordsInvocations(words: number, rows: number): number {
  return rows * Math.ceil(words / 16);
}

/** Writes the first `words` stream words of every row of the batch, draw-major. */
export function streamWordsKernel(words: number): KernelDefinition {
  return {
    name: 'stream_words',
    key: `stream_words:${words}`,
    layout: streamWordsLayout,
    code: () => [chachaSource, rowsSource, specialize(streamWordsSource, { WORDS: words, WORKGROUP_SIZE })].join('\n'),
  };
}
