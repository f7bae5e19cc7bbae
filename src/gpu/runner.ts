import tgpu, { type TgpuBindGroupLayout } from 'typegpu';
import { StageParams } from './schemas.js';
import type { GpuContext } from './device.js';

/** WGSL workgroup size of the per-row kernels. */
export const WORKGROUP_SIZE = 64;
const MAX_GROUPS_PER_DIMENSION = 65535;

/** One specialised kernel: its bind-group layout and WGSL, compiled once per key. */
export interface KernelDefinition {
  /** Stage name, used in labels and timings. */
  name: string;
  /** Cache key: the name plus everything baked into the code. */
  key: string;
  layout: TgpuBindGroupLayout;
  /** Specialised WGSL (libraries and stage); bindings come from the layout. */
  code(): string;
}

/**
 * Compiles each kernel once (cached by key), builds bind groups from the kernel's
 * TypeGPU layout and encodes dispatches of one invocation per row.
 */
export class KernelRunner {
  private readonly pipelines = new Map<string, Promise<GPUComputePipeline>>();

  constructor(readonly context: GpuContext) {}

  get device(): GPUDevice {
    return this.context.device;
  }

  pipeline(kernel: KernelDefinition): Promise<GPUComputePipeline> {
    let pipeline = this.pipelines.get(kernel.key);
    if (!pipeline) {
      pipeline = this.compile(kernel);
      this.pipelines.set(kernel.key, pipeline);
    }
    return pipeline;
  }

  /** WGSL of a kernel with its binding declarations written from the layout. */
  resolve(kernel: KernelDefinition): string {
    const names = Object.keys(kernel.layout.entries);
    // tgpu.resolve declares every binding that the template mentions; the stage code
    // then refers to each binding by its layout key.
    const template = `// bindings: ${names.map((name) => `kernelBindings.$.${name}`).join(', ')}\n${kernel.code()}`;
    const code = tgpu.resolve({ template, externals: { kernelBindings: kernel.layout, StageParams } });
    for (const name of names) {
      if (!new RegExp(`var<[^>]+> ${name}:`).test(code)) throw new Error(`${kernel.name}: binding "${name}" was renamed while resolving the layout`);
    }
    return code;
  }

  private async compile(kernel: KernelDefinition): Promise<GPUComputePipeline> {
    const code = this.resolve(kernel);
    const module = this.device.createShaderModule({ label: kernel.name, code });
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length > 0) {
      const lines = code.split('\n');
      const detail = errors.map((e) => `line ${e.lineNum}: ${e.message}\n    ${lines[e.lineNum - 1]?.trim() ?? ''}`).join('\n');
      throw new Error(`WGSL compilation of ${kernel.name} failed:\n${detail}`);
    }
    return this.device.createComputePipelineAsync({
      label: kernel.name,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [this.context.root.unwrap(kernel.layout)] }),
      compute: { module, entryPoint: 'main' },
    });
  }

  /** Binds buffers by layout key; binding indices follow the layout's key order. */
  bindGroup(kernel: KernelDefinition, buffers: Record<string, GPUBuffer>): GPUBindGroup {
    const names = Object.keys(kernel.layout.entries);
    return this.device.createBindGroup({
      label: kernel.name,
      layout: this.context.root.unwrap(kernel.layout),
      entries: names.map((name, binding) => {
        const buffer = buffers[name];
        if (!buffer) throw new Error(`${kernel.name}: no buffer for binding "${name}"`);
        return { binding, resource: { buffer } };
      }),
    });
  }

  /** Encodes one dispatch with an invocation per row (two-dimensional past 65535 groups). */
  dispatch(pass: GPUComputePassEncoder, pipeline: GPUComputePipeline, bindGroup: GPUBindGroup, rows: number): void {
    const groups = Math.max(1, Math.ceil(rows / WORKGROUP_SIZE));
    const x = Math.min(groups, MAX_GROUPS_PER_DIMENSION);
    const y = Math.ceil(groups / x);
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(x, y);
  }
}

/** Encodes one dispatch of an explicit workgroup grid. */
export function dispatchGrid(pass: GPUComputePassEncoder, pipeline: GPUComputePipeline, bindGroup: GPUBindGroup, x: number, y = 1): void {
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(Math.max(1, x), Math.max(1, y));
}

/** A storage buffer of `bytes` (at least 4) for kernel inputs and outputs. */
export function storageBuffer(device: GPUDevice, label: string, bytes: number, extraUsage = 0): GPUBuffer {
  return device.createBuffer({
    label,
    size: Math.max(16, Math.ceil(bytes / 16) * 16),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC | extraUsage,
  });
}

/** Copies `bytes` of a GPU buffer back into host memory through a mapped staging buffer. */
export async function readBack(device: GPUDevice, staging: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
  await staging.mapAsync(GPUMapMode.READ, 0, Math.ceil(bytes / 4) * 4);
  const copy = staging.getMappedRange(0, Math.ceil(bytes / 4) * 4).slice(0);
  staging.unmap();
  return copy;
}
