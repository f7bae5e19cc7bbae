import { describe, expect, it } from 'vitest';
import { prfKernel } from '../kernels/prf.js';
import { KernelRunner, readBack, storageBuffer } from '../src/gpu/runner.js';
import { stageParams, StageParams } from '../src/gpu/schemas.js';
import { RowStream } from '../src/prf/stream.js';
import { testGpu } from './helpers/gpu.js';

describe('smoke', () => {
  it('prf kernel matches', async () => {
    const gpu = (await testGpu())!;
    const runner = new KernelRunner(gpu);
    const draws = 40, rows = 100;
    const kernel = prfKernel(draws);
    const pipeline = await runner.pipeline(kernel);
    const device = gpu.device;
    const words = storageBuffer(device, 'words', rows * draws * 4);
    const uniforms = storageBuffer(device, 'u', rows * draws * 4);
    const normals = storageBuffer(device, 'n', rows * draws * 4);
    const params = gpu.root.createBuffer(StageParams).$usage('uniform');
    const key = new Uint32Array([1, 2, 3, 4, 5, 6, 7, 8]);
    params.write(stageParams(rows, 4294967290, 1, key));
    const bg = runner.bindGroup(kernel, { params: gpu.root.unwrap(params), words, uniforms, normals });
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    runner.dispatch(pass, pipeline, bg, rows);
    pass.end();
    const staging = device.createBuffer({ size: rows * draws * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    enc.copyBufferToBuffer(words, 0, staging, 0, rows * draws * 4);
    device.queue.submit([enc.finish()]);
    const got = new Uint32Array(await readBack(device, staging, rows * draws * 4));
    const s = new RowStream(key);
    let mismatches = 0;
    for (let r = 0; r < rows; r++) { s.seek(4294967290 + r); for (let t = 0; t < draws; t++) if (s.word(t) !== got[r * draws + t]) mismatches++; }
    expect(mismatches).toBe(0);
  });
});
