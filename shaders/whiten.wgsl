// Whitening w = L⁻¹ z by forward substitution with the frame's Cholesky factor baked in,
// one row per invocation; the twin of src/reference/whiten.ts. Bindings: params, z, w.
// Template value FORWARD_SUBSTITUTION reads z[j * n + r] and writes w[j * n + r].

const D: u32 = {{D}}u;
const WORKGROUP_SIZE: u32 = {{WORKGROUP_SIZE}}u;
{{MATRIX_CONSTANTS}}

@compute @workgroup_size({{WORKGROUP_SIZE}})
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let r = batch_row(id, groups);
  let n = params.rows;
  if (r >= n) {
    return;
  }
{{FORWARD_SUBSTITUTION}}
}
