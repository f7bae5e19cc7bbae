// k-record Gaussian mixing, one workgroup per group and one invocation per member; the
// twin of mixReference in src/neighbours/mix.ts. Rows arrive in grouped order and
// columnar: group g occupies positions offsets[g] .. offsets[g + 1] − 1 and coordinate j
// of position p is at grouped[j * rows + p]. The workgroup copies its group's rows into
// workgroup memory once, so every member's combination reads them from there.
// Position p releases
//   c + √(1 − α) m^(−1/2) Σ_t ξ_t d_t + √(α (m − 1)/m) L_pool η
// where c is the group's centroid, d_t the deviations of its m members, ξ (draws
// 0 .. m−1) and η (draws ETA_DRAW .. ETA_DRAW+D−1) keyed normals of the released row's
// stream (row_ids: its global index as low and high words). Coordinates are handled four
// at a time (QUADS = ⌈D/4⌉ vec4 per row, padded with zeros), because scalar loads from
// storage and workgroup memory dominated this kernel's time on lavapipe.
// L_pool is baked in as literals up to 64 columns, else read from pool_factor_t (Lᵀ: row l
// holds L[j][l] for j = 0 .. D−1, QUADS vec4 per row).
// Bindings: mixing (groups, rows, key), grouped, offsets, centroids (groups × QUADS
// vec4), row_ids, pool_factor_t, mixed (output, grouped order, columnar).

const D: u32 = {{D}}u;
const QUADS: u32 = {{QUADS}}u;
const GROUP_THREADS: u32 = {{GROUP_THREADS}}u;
const ALPHA: f32 = {{ALPHA}};
const MAX_MEMBERS: u32 = {{MAX_MEMBERS}}u;
const ETA_DRAW: u32 = {{ETA_DRAW}}u;

// xi_normals (draws 0 .. MAX_MEMBERS − 1) and eta_normals (draws ETA_DRAW .. ETA_DRAW + D − 1).
{{NORMAL_DRAWS}}

// Quad q of L_pool η.
{{POOL_NOISE}}

// Member u's coordinates 4q .. 4q + 3 at u * QUADS + q; slots past the group's size hold 0.
var<workgroup> members: array<vec4f, {{MEMBER_QUADS}}>;

@compute @workgroup_size({{GROUP_THREADS}})
fn main(@builtin(workgroup_id) group_id: vec3u, @builtin(num_workgroups) group_count: vec3u, @builtin(local_invocation_index) lane: u32) {
  let g = group_id.y * group_count.x + group_id.x;
  // The whole workgroup leaves together, so the barrier below stays in uniform control flow.
  if (g >= mixing.groups) {
    return;
  }
  let start = offsets[g];
  let m = offsets[g + 1u] - start;
  for (var i = lane; i < MAX_MEMBERS * QUADS; i += GROUP_THREADS) {
    let u = i / QUADS;
    let first = (i % QUADS) * 4u;
    var value = vec4f(0.0);
    if (u < m) {
      for (var c = 0u; c < 4u; c++) {
        if (first + c < D) {
          value[c] = grouped[(first + c) * mixing.rows + start + u];
        }
      }
    }
    members[i] = value;
  }
  workgroupBarrier();

  let spread = sqrt(1.0 - ALPHA) / sqrt(f32(m));
  let noise = sqrt(ALPHA * f32(m - 1u) / f32(m));
  for (var t = lane; t < m; t += GROUP_THREADS) {
    let p = start + t;
    let xi = xi_normals(mixing.key0, mixing.key1, row_ids[2u * p], row_ids[2u * p + 1u]);
    let eta = eta_normals(mixing.key0, mixing.key1, row_ids[2u * p], row_ids[2u * p + 1u]);

    // Σ_u ξ_u d_u = Σ_u ξ_u x_u − (Σ_u ξ_u) c; absent members weigh 0.
    var weights = xi;
    var xi_sum = 0.0;
    for (var u = 0u; u < MAX_MEMBERS; u++) {
      weights[u] = select(0.0, xi[u], u < m);
      xi_sum += weights[u];
    }
    for (var q = 0u; q < QUADS; q++) {
      let c = centroids[g * QUADS + q];
      var combination = vec4f(0.0);
      for (var u = 0u; u < MAX_MEMBERS; u++) {
        combination += weights[u] * members[u * QUADS + q];
      }
      let s = pool_noise(q, eta);
      let value = c + spread * (combination - xi_sum * c) + noise * s;
      for (var k = 0u; k < 4u; k++) {
        if (4u * q + k < D) {
          mixed[(4u * q + k) * mixing.rows + p] = value[k];
        }
      }
    }
  }
}
