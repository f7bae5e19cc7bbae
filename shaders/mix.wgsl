// k-record Gaussian mixing, one workgroup per group and one invocation per member; the
// twin of mixReference in src/neighbours/mix.ts. Rows arrive in grouped order and
// columnar: group g occupies positions offsets[g] .. offsets[g + 1] − 1 and coordinate j
// of position p is at grouped[j * rows + p]. The workgroup copies its group's rows into
// workgroup memory once, so every member's combination reads them from there.
// Position p releases
//   c + √(1 − α) m^(−1/2) Σ_t ξ_t d_t + √(α (m − 1)/m) L_pool η
// where c is the group's centroid, d_t the deviations of its m members, ξ (draws
// 0 .. m−1) and η (draws ETA_DRAW .. ETA_DRAW+D−1) keyed normals of the released row's
// stream (row_ids: its global index as low and high words). Bindings: mixing (groups, rows,
// key), grouped, offsets, centroids (row-major groups × D), row_ids, pool_factor
// (row-major D × D), mixed (output, grouped order, columnar).

const D: u32 = {{D}}u;
const GROUP_THREADS: u32 = {{GROUP_THREADS}}u;
const ALPHA: f32 = {{ALPHA}};
const MAX_MEMBERS: u32 = {{MAX_MEMBERS}}u;
const ETA_DRAW: u32 = {{ETA_DRAW}}u;

// Member t's coordinate j at t * D + j.
var<workgroup> members: array<f32, {{MEMBER_CELLS}}>;

@compute @workgroup_size({{GROUP_THREADS}})
fn main(@builtin(workgroup_id) group_id: vec3u, @builtin(num_workgroups) group_count: vec3u, @builtin(local_invocation_index) lane: u32) {
  let g = group_id.y * group_count.x + group_id.x;
  // The whole workgroup leaves together, so the barrier below stays in uniform control flow.
  if (g >= mixing.groups) {
    return;
  }
  let start = offsets[g];
  let m = offsets[g + 1u] - start;
  for (var i = lane; i < m * D; i += GROUP_THREADS) {
    members[i] = grouped[(i % D) * mixing.rows + start + i / D];
  }
  workgroupBarrier();

  let spread = sqrt(1.0 - ALPHA) / sqrt(f32(m));
  let noise = sqrt(ALPHA * f32(m - 1u) / f32(m));
  for (var t = lane; t < m; t += GROUP_THREADS) {
    let p = start + t;
    var stream = stream_open(mixing.key0, mixing.key1, row_ids[2u * p], row_ids[2u * p + 1u]);

    // Σ_u ξ_u d_u = Σ_u ξ_u x_u − (Σ_u ξ_u) c.
    var xi: array<f32, MAX_MEMBERS>;
    var xi_sum = 0.0;
    for (var u = 0u; u < m; u++) {
      xi[u] = stream_normal(&stream, u);
      xi_sum += xi[u];
    }
    var eta: array<f32, D>;
    for (var l = 0u; l < D; l++) {
      eta[l] = stream_normal(&stream, ETA_DRAW + l);
    }
    for (var j = 0u; j < D; j++) {
      let c = centroids[g * D + j];
      var combination = 0.0;
      for (var u = 0u; u < m; u++) {
        combination += xi[u] * members[u * D + j];
      }
      var s = 0.0;
      for (var l = 0u; l <= j; l++) {
        s += pool_factor[j * D + l] * eta[l];
      }
      mixed[j * mixing.rows + p] = c + spread * (combination - xi_sum * c) + noise * s;
    }
  }
}
