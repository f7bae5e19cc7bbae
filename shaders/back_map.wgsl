// Back-mapping to marginal positions: z' = L w', then each column's table entry index or
// knot position t = Φ(z')·K; the twin of src/reference/back_map.ts. Bindings: params, w,
// tables, positions. The host turns positions into values in float64.

const D: u32 = {{D}}u;
const WORKGROUP_SIZE: u32 = {{WORKGROUP_SIZE}}u;
{{COLUMN_CONSTANTS}}
{{MATRIX_CONSTANTS}}

@compute @workgroup_size({{WORKGROUP_SIZE}})
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let r = batch_row(id, groups);
  let n = params.rows;
  if (r >= n) {
    return;
  }
{{UNWHITEN_AND_POSITION}}
}
