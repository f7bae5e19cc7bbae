import { it } from 'vitest';
import { gpuMix } from '../src/engine/gpu_mix.js';
import { KernelRunner, storageBuffer } from '../src/gpu/runner.js';
import { StageParams, stageParams } from '../src/gpu/schemas.js';
import { rotateKernel } from '../kernels/rotate.js';
import { formGroups, mixReference, pooledCovariance } from '../src/neighbours/mix.js';
import { testGpu } from './helpers/gpu.js';
it('mix speed', async () => {
  const gpu = (await testGpu())!;
  const runner = new KernelRunner(gpu);
  const n = 200000, d = 32, k = 10;
  const points = new Float32Array(n * d).map(() => Math.random());
  const key = new Uint32Array(8).fill(3);
  const groups = formGroups(points, n, d, k, key);
  const pool = pooledCovariance(points, d, groups);
  const req = { points, n, d, groups, poolFactor: pool.factor, alpha: 0.5, k, key, rowIds: Float64Array.from({ length: n }, (_, i) => i) };
  await gpuMix(runner, { ...req });
  let t0 = performance.now(); await gpuMix(runner, req); const tg = performance.now() - t0;
  // rotate on the same amount of data, kernel only
  const kernel = rotateKernel({ thetaMin: 0.5, thetaMax: 1, rho: 0.5 }, d);
  const pipeline = await runner.pipeline(kernel);
  const w = storageBuffer(gpu.device, 'w', n * d * 4); gpu.device.queue.writeBuffer(w, 0, points);
  const params = gpu.root.createBuffer(StageParams).$usage('uniform'); params.write(stageParams(n, 0, 1, key));
  const bg = runner.bindGroup(kernel, { params: gpu.root.unwrap(params), w });
  for (let rep = 0; rep < 2; rep++) {
    t0 = performance.now();
    const enc = gpu.device.createCommandEncoder(); const pass = enc.beginComputePass(); runner.dispatch(pass, pipeline, bg, n); pass.end(); gpu.device.queue.submit([enc.finish()]); await gpu.device.queue.onSubmittedWorkDone();
    console.log('rotate', (performance.now() - t0).toFixed(0));
  }
  t0 = performance.now(); mixReference(req); const tc = performance.now() - t0;
  console.log('mix gpu', tg.toFixed(0), 'cpu', tc.toFixed(0));
});
