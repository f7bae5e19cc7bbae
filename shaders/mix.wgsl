// k-record Gaussian mixing, one output row per invocation; the twin of mixReference in
// src/neighbours/mix.ts. Position p of the grouped order releases row order[p]:
//   c + √(1 − α) m^(−1/2) Σ_t ξ_t d_t + √(α (m − 1)/m) L_pool η
// where c and d_t are the centroid and deviations of its group's m members, ξ (draws
// 0 .. m−1) and η (draws m .. m+D−1) keyed normals of the released row's stream.
// Bindings: params (rows, key), points (row-major n × D), order, group_of (group of each
// position), offsets (group starts, then n), row_ids (low, high words of each row's
// global index), pool_factor (row-major D × D), mixed (output, row-major n × D).

const D: u32 = {{D}}u;
const WORKGROUP_SIZE: u32 = {{WORKGROUP_SIZE}}u;
const ALPHA: f32 = {{ALPHA}};

@compute @workgroup_size({{WORKGROUP_SIZE}})
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let p = batch_row(id, groups);
  if (p >= params.rows) {
    return;
  }
  let target_row = order[p];
  let g = group_of[p];
  let start = offsets[g];
  let m = offsets[g + 1u] - start;

  var centroid: array<f32, D>;
  for (var t = 0u; t < m; t++) {
    let base = order[start + t] * D;
    for (var j = 0u; j < D; j++) {
      centroid[j] += points[base + j];
    }
  }
  for (var j = 0u; j < D; j++) {
    centroid[j] /= f32(m);
  }

  var stream = stream_open(params.key0, params.key1, row_ids[2u * target_row], row_ids[2u * target_row + 1u]);
  let spread = sqrt(1.0 - ALPHA) / sqrt(f32(m));
  let noise = sqrt(ALPHA * f32(m - 1u) / f32(m));
  var row: array<f32, D>;
  for (var j = 0u; j < D; j++) {
    row[j] = centroid[j];
  }
  for (var t = 0u; t < m; t++) {
    let xi = spread * stream_normal(&stream, t);
    let base = order[start + t] * D;
    for (var j = 0u; j < D; j++) {
      row[j] += xi * (points[base + j] - centroid[j]);
    }
  }
  var eta: array<f32, D>;
  for (var l = 0u; l < D; l++) {
    eta[l] = stream_normal(&stream, m + l);
  }
  for (var j = 0u; j < D; j++) {
    var s = 0.0;
    for (var l = 0u; l <= j; l++) {
      s += pool_factor[j * D + l] * eta[l];
    }
    mixed[target_row * D + j] = row[j] + noise * s;
  }
}
