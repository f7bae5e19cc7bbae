// Row indexing shared by the per-row kernels. Requires the uniform binding `params`
// (StageParams: rows, rowBaseLow, rowBaseHigh, rowStride, key0, key1) and WORKGROUP_SIZE.

// Row of the batch handled by this invocation; dispatches may be two-dimensional when
// a batch needs more than 65535 workgroups.
fn batch_row(id: vec3u, groups: vec3u) -> u32 {
  return id.y * groups.x * WORKGROUP_SIZE + id.x;
}

// Global row index rowBase + r * rowStride as (low, high) 32-bit words.
fn global_row(r: u32) -> vec2u {
  // 32 × 32 → 64-bit product from 16-bit halves, since WGSL has no 64-bit integers.
  let a_lo = r & 0xffffu;
  let a_hi = r >> 16u;
  let b_lo = params.rowStride & 0xffffu;
  let b_hi = params.rowStride >> 16u;
  let lo_lo = a_lo * b_lo;
  let mid = a_hi * b_lo + (lo_lo >> 16u);
  let mid2 = a_lo * b_hi + (mid & 0xffffu);
  let product_lo = (mid2 << 16u) | (lo_lo & 0xffffu);
  let product_hi = a_hi * b_hi + (mid >> 16u) + (mid2 >> 16u);
  let low = params.rowBaseLow + product_lo;
  let carry = select(0u, 1u, low < product_lo);
  return vec2u(low, params.rowBaseHigh + product_hi + carry);
}

fn row_stream(r: u32) -> Stream {
  let row = global_row(r);
  return stream_open(params.key0, params.key1, row.x, row.y);
}
