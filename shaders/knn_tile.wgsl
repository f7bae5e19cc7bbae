// Distance tile for exact kNN: squared Euclidean distances between a tile of queries and
// a tile of candidates (both row-major, point i at i * D), the twin of the distance loop
// in src/reference/knn.ts. Each workgroup covers 64 queries × 64 candidates; each
// invocation computes a 4 × 4 block as four vec4 accumulators, reading coordinates from
// workgroup memory that is filled CHUNK dimensions at a time. Every distance is summed
// over dimensions 0 .. D−1 in order, in float32, so the CPU reference reproduces it bit
// for bit. Output layout: distances[c * queryCount + q], candidate-major, so that the topk
// kernel's invocations (one per query) read consecutive addresses.

const D: u32 = {{D}}u;
const CHUNK: u32 = 16u;
const TILE: u32 = 64u;

// [dim * 16 + i] holds dimension `dim` of points 4i .. 4i + 3 of the tile.
var<workgroup> query_tile: array<vec4f, 256>;
var<workgroup> candidate_tile: array<vec4f, 256>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) group: vec3u, @builtin(local_invocation_id) local: vec3u, @builtin(local_invocation_index) lane: u32) {
  let query_base = group.x * TILE;
  let candidate_base = group.y * TILE;
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);

  for (var start = 0u; start < D; start += CHUNK) {
    // 256 invocations load 64 points × 16 dimensions of each tile, four values each.
    for (var i = lane; i < TILE * CHUNK; i += 256u) {
      let point = i / CHUNK;
      let dim = start + i % CHUNK;
      var qv = 0.0;
      var cv = 0.0;
      if (dim < D && query_base + point < knn.queryCount) {
        qv = queries[(query_base + point) * D + dim];
      }
      if (dim < D && candidate_base + point < knn.candidateCount) {
        cv = candidates[(candidate_base + point) * D + dim];
      }
      let slot = (i % CHUNK) * 16u + point / 4u;
      query_tile[slot][point % 4u] = qv;
      candidate_tile[slot][point % 4u] = cv;
    }
    workgroupBarrier();

    let dims = min(CHUNK, D - start);
    for (var j = 0u; j < dims; j++) {
      let q = query_tile[j * 16u + local.x];
      let c = candidate_tile[j * 16u + local.y];
      let d0 = q.x - c;
      let d1 = q.y - c;
      let d2 = q.z - c;
      let d3 = q.w - c;
      acc0 = acc0 + d0 * d0;
      acc1 = acc1 + d1 * d1;
      acc2 = acc2 + d2 * d2;
      acc3 = acc3 + d3 * d3;
    }
    workgroupBarrier();
  }

  let rows = array<vec4f, 4>(acc0, acc1, acc2, acc3);
  for (var a = 0u; a < 4u; a++) {
    let q = query_base + local.x * 4u + a;
    for (var b = 0u; b < 4u; b++) {
      let c = candidate_base + local.y * 4u + b;
      if (q < knn.queryCount && c < knn.candidateCount) {
        distances[c * knn.queryCount + q] = rows[a][b];
      }
    }
  }
}
