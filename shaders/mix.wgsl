// k-record Gaussian mixing, one output row per invocation; the twin of mixReference in
// src/neighbours/mix.ts. Rows arrive in grouped order and columnar: group g occupies
// positions offsets[g] .. offsets[g + 1] − 1, coordinate j of position p is at
// grouped[j * rows + p], and the group's centroid is at centroids[g * D]. Columnar
// buffers let neighbouring invocations touch neighbouring addresses (row-major rows made
// this kernel several times slower on lavapipe). Position p releases
//   c + √(1 − α) m^(−1/2) Σ_t ξ_t d_t + √(α (m − 1)/m) L_pool η
// where d_t are the deviations of the group's m members, ξ (draws 0 .. m−1) and η (draws
// ETA_DRAW .. ETA_DRAW+D−1) keyed normals of the released row's stream (row_ids: its
// global index as low and high words). Loops run to the largest group size with a guard,
// so their trip counts are constants: with trip counts that vary between invocations,
// lavapipe ran this kernel an order of magnitude slower. Bindings: params (rows, key),
// grouped, group_of, offsets, centroids, row_ids, pool_factor (row-major D × D), mixed
// (output, grouped order, columnar).

const D: u32 = {{D}}u;
const WORKGROUP_SIZE: u32 = {{WORKGROUP_SIZE}}u;
const ALPHA: f32 = {{ALPHA}};
const MAX_MEMBERS: u32 = {{MAX_MEMBERS}}u;
const ETA_DRAW: u32 = {{ETA_DRAW}}u;

@compute @workgroup_size({{WORKGROUP_SIZE}})
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let p = batch_row(id, groups);
  if (p >= params.rows) {
    return;
  }
  let g = group_of[p];
  let start = offsets[g];
  let m = offsets[g + 1u] - start;

  var stream = stream_open(params.key0, params.key1, row_ids[2u * p], row_ids[2u * p + 1u]);
  let spread = sqrt(1.0 - ALPHA) / sqrt(f32(m));
  let noise = sqrt(ALPHA * f32(m - 1u) / f32(m));

  // Σ_t ξ_t d_t = Σ_t ξ_t x_t − (Σ_t ξ_t) c, accumulated row by row of the group.
  var row: array<f32, D>;
  var xi_sum = 0.0;
  for (var t = 0u; t < MAX_MEMBERS; t++) {
    if (t < m) {
      let xi = stream_normal(&stream, t);
      xi_sum += xi;
      for (var j = 0u; j < D; j++) {
        row[j] += xi * grouped[j * params.rows + start + t];
      }
    }
  }
  var eta: array<f32, D>;
  for (var l = 0u; l < D; l++) {
    eta[l] = stream_normal(&stream, ETA_DRAW + l);
  }
  for (var j = 0u; j < D; j++) {
    let c = centroids[g * D + j];
    var s = 0.0;
    for (var l = 0u; l <= j; l++) {
      s += pool_factor[j * D + l] * eta[l];
    }
    mixed[j * params.rows + p] = c + spread * (row[j] - xi_sum * c) + noise * s;
  }
}
