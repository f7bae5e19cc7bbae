// Top-k selection for exact kNN: merges one distance tile (from knn_tile) into each
// query's running list of its K nearest candidates, sorted by (distance, index), the
// twin of the selection in src/reference/knn.ts. One invocation per query; candidate
// tiles arrive in increasing index order, so the strict (distance, index) order breaks
// ties by the smaller index exactly as the reference does. Empty slots hold the
// distance FAR (the host reads it as +∞) and the index NO_NEIGHBOUR.

const K: u32 = {{K}}u;
const WORKGROUP_SIZE: u32 = {{WORKGROUP_SIZE}}u;
const NO_NEIGHBOUR: u32 = 0xffffffffu;

// (da, ia) sorts before (db, ib).
fn before(da: f32, ia: u32, db: f32, ib: u32) -> bool {
  return da < db || (da == db && ia < ib);
}

@compute @workgroup_size({{WORKGROUP_SIZE}})
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let q = id.y * groups.x * WORKGROUP_SIZE + id.x;
  if (q >= knn.queryCount) {
    return;
  }
  var best_distance: array<f32, K>;
  var best_index: array<u32, K>;
  for (var i = 0u; i < K; i++) {
    best_distance[i] = best_distances[q * K + i];
    best_index[i] = best_indices[q * K + i];
  }

  // The global index of this query as a candidate, when queries and candidates are one set.
  let self_index = knn.queryStart + q + knn.selfOffset;
  // The current k-th entry, kept in registers: most candidates are rejected against it.
  var worst_distance = best_distance[K - 1u];
  var worst_index = best_index[K - 1u];
  for (var c = 0u; c < knn.candidateCount; c++) {
    let distance = distances[c * knn.queryCount + q];
    let index = knn.candidateStart + c;
    if (!before(distance, index, worst_distance, worst_index)) {
      continue;
    }
    if (knn.excludeSelf != 0u && index == self_index) {
      continue;
    }
    if (knn.excludeDuplicates != 0u && distance == 0.0) {
      continue;
    }
    var at = K - 1u;
    while (at > 0u && before(distance, index, best_distance[at - 1u], best_index[at - 1u])) {
      best_distance[at] = best_distance[at - 1u];
      best_index[at] = best_index[at - 1u];
      at--;
    }
    best_distance[at] = distance;
    best_index[at] = index;
    worst_distance = best_distance[K - 1u];
    worst_index = best_index[K - 1u];
  }

  for (var i = 0u; i < K; i++) {
    best_distances[q * K + i] = best_distance[i];
    best_indices[q * K + i] = best_index[i];
  }
}
