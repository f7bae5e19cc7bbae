import tgpu, { type TgpuRoot } from 'typegpu';

/** A WebGPU device with the adapter's description, shared by every kernel of a run. */
export interface GpuContext {
  device: GPUDevice;
  root: TgpuRoot;
  /** Adapter description, such as "llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)" or an NVIDIA model. */
  adapter: string;
  isFallbackAdapter: boolean;
  /** Whether the device records GPU timestamps in compute passes (kernel times in run reports). */
  timestamps: boolean;
}

// Dawn's GPU object must stay referenced for the life of the process: if it is
// garbage-collected, the process aborts.
let dawnGpu: GPU | undefined;

async function nodeGpu(): Promise<GPU | undefined> {
  if (dawnGpu) return dawnGpu;
  const process = (globalThis as { process?: { versions?: { node?: string }; env: Record<string, string | undefined> } }).process;
  if (!process?.versions?.node) return undefined;
  // Mesa's lavapipe warns on every start without a runtime folder.
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  const webgpu = (await import('webgpu')) as { create: (flags: string[]) => GPU; globals: object };
  Object.assign(globalThis, webgpu.globals);
  dawnGpu = webgpu.create([]);
  return dawnGpu;
}

/** Requests limits up to what the adapter offers for the ones large batches need. */
function requiredLimits(adapter: GPUAdapter): Record<string, number> {
  const names = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize', 'maxStorageBuffersPerShaderStage', 'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX'] as const;
  const limits: Record<string, number> = {};
  for (const name of names) limits[name] = adapter.limits[name];
  return limits;
}

/**
 * The adapter's description, or its vendor, architecture and device joined where the
 * description is empty (browsers leave it empty, such as Chromium's "google swiftshader").
 */
function describe(info: GPUAdapterInfo | undefined): string {
  if (!info) return 'unknown adapter';
  if (info.description) return info.description;
  const parts = [info.vendor, info.architecture, info.device].filter((p) => p && p.length > 0);
  return parts.length > 0 ? parts.join(' ') : 'unknown adapter';
}

/**
 * Acquires a WebGPU device: Dawn's Node bindings on Node, navigator.gpu in a browser.
 * Returns undefined, with the reason, where no adapter exists.
 */
export async function acquireGpu(): Promise<{ context?: GpuContext; reason?: string }> {
  let gpu: GPU | undefined;
  const browserGpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  try {
    gpu = browserGpu ?? (await nodeGpu());
  } catch (error) {
    return { reason: `WebGPU bindings failed to load (${(error as Error).message})` };
  }
  if (!gpu) return { reason: 'this runtime has no WebGPU' };

  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    // Only Node's Dawn can be helped by installing a driver; a browser just has no adapter.
    const advice = browserGpu ? 'this browser offers no WebGPU adapter' : 'on Linux without a GPU, install Mesa lavapipe: mesa-vulkan-drivers from bookworm-backports';
    return { reason: `no WebGPU adapter found (${advice})` };
  }
  const timestamps = adapter.features.has('timestamp-query');
  const device = await adapter.requestDevice({ requiredLimits: requiredLimits(adapter), requiredFeatures: timestamps ? ['timestamp-query'] : [] });
  const info = (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info;
  const root = tgpu.initFromDevice({ device });
  return {
    context: {
      device,
      root,
      adapter: describe(info),
      isFallbackAdapter: (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter ?? info?.architecture === 'software',
      timestamps,
    },
  };
}

export function releaseGpu(context: GpuContext): void {
  context.root.destroy();
  context.device.destroy();
}
