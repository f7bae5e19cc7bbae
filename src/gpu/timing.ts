/**
 * GPU time of each compute pass of a batch, from timestamp queries written at the
 * start and end of every pass (WebGPU's `timestamp-query` feature). The query set
 * and its buffers are made once and reused by every batch of a slot.
 */
export class PassTimer {
  private readonly querySet: GPUQuerySet;
  private readonly resolved: GPUBuffer;
  private readonly staging: GPUBuffer;

  constructor(
    private readonly device: GPUDevice,
    readonly passes: number,
    label: string,
  ) {
    this.querySet = device.createQuerySet({ label, type: 'timestamp', count: 2 * passes });
    const bytes = 16 * passes;
    this.resolved = device.createBuffer({ label: `${label} resolved`, size: bytes, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    this.staging = device.createBuffer({ label: `${label} staging`, size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }

  /** Returns the descriptor of compute pass i, with its two timestamp writes. */
  pass(i: number): GPUComputePassDescriptor {
    return { timestampWrites: { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } };
  }

  /** Encodes the copy of the timestamps into the mappable buffer, after the passes. */
  resolve(encoder: GPUCommandEncoder): void {
    encoder.resolveQuerySet(this.querySet, 0, 2 * this.passes, this.resolved, 0);
    encoder.copyBufferToBuffer(this.resolved, 0, this.staging, 0, 16 * this.passes);
  }

  /** Milliseconds of each pass of the last submitted batch; 0 where the clock went backwards. */
  async read(): Promise<number[]> {
    await this.staging.mapAsync(GPUMapMode.READ);
    const ticks = new BigUint64Array(this.staging.getMappedRange().slice(0));
    this.staging.unmap();
    const out: number[] = [];
    for (let i = 0; i < this.passes; i++) {
      const span = ticks[2 * i + 1] - ticks[2 * i];
      out.push(span > 0n ? Number(span) / 1e6 : 0);
    }
    return out;
  }

  destroy(): void {
    this.querySet.destroy();
    this.resolved.destroy();
    this.staging.destroy();
  }
}
