// Subspace resampling in whitened space, in place, one row per invocation; the twin of
// src/reference/project.ts. Bindings: params, w. The row's subspace comes from M = min(K,
// D − K) Householder reflections H_1 ⋯ H_M whose vectors are keyed normals (reflection j
// uses D − j draws starting at j·D − j(j − 1)/2); in the coordinates Hᵀw the coordinates
// outside the kept subspace are replaced by fresh normals, then H maps back.

const D: u32 = {{D}}u;
const WORKGROUP_SIZE: u32 = {{WORKGROUP_SIZE}}u;
const K: u32 = {{K}}u;
const M: u32 = {{M}}u;
const KEEP_LEADING: bool = {{KEEP_LEADING}};

fn reflection_draw(j: u32) -> u32 {
  return j * D - (j * (j - 1u)) / 2u;
}

// y ← H_j y: H_j = I − 2vvᵀ/‖v‖² on coordinates j .. D−1, v = x + sign(x_0)‖x‖e_0.
fn reflect(stream: ptr<function, Stream>, j: u32, y: ptr<function, array<f32, D>>) {
  var v: array<f32, D>;
  let first = reflection_draw(j);
  let size = D - j;
  var norm_squared = 0.0;
  for (var i = 0u; i < size; i++) {
    v[i] = stream_normal(stream, first + i);
    norm_squared += v[i] * v[i];
  }
  let norm = sqrt(norm_squared);
  let head = v[0];
  v[0] = head + select(-norm, norm, head >= 0.0);
  let v_norm_squared = norm_squared - head * head + v[0] * v[0];
  if (v_norm_squared == 0.0) {
    return;
  }
  var dot = 0.0;
  for (var i = 0u; i < size; i++) {
    dot += v[i] * (*y)[j + i];
  }
  let scale = 2.0 * dot / v_norm_squared;
  for (var i = 0u; i < size; i++) {
    (*y)[j + i] -= scale * v[i];
  }
}

@compute @workgroup_size({{WORKGROUP_SIZE}})
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let r = batch_row(id, groups);
  let n = params.rows;
  if (r >= n) {
    return;
  }
  var stream = row_stream(r);
  var y: array<f32, D>;
  for (var j = 0u; j < D; j++) {
    y[j] = w[j * n + r];
  }

  for (var j = 0u; j < M; j++) {
    reflect(&stream, j, &y);
  }

  let fresh = reflection_draw(M);
  if (KEEP_LEADING) {
    for (var i = K; i < D; i++) {
      y[i] = stream_normal(&stream, fresh + i - K);
    }
  } else {
    for (var i = 0u; i < D - K; i++) {
      y[i] = stream_normal(&stream, fresh + i);
    }
  }

  for (var j = M; j > 0u; j--) {
    reflect(&stream, j - 1u, &y);
  }
  for (var j = 0u; j < D; j++) {
    w[j * n + r] = y[j];
  }
}
