// PRF check kernel: for each row of the batch, writes DRAWS consecutive stream words,
// uniforms and normals, so tests can compare them with the TypeScript PRF bit for bit
// (words) and within float tolerance (uniforms, normals). Bindings: params, words,
// uniforms, normals; layout row-major (row r, draw t at r * DRAWS + t).

const DRAWS: u32 = {{DRAWS}}u;
const WORKGROUP_SIZE: u32 = {{WORKGROUP_SIZE}}u;

@compute @workgroup_size({{WORKGROUP_SIZE}})
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let r = batch_row(id, groups);
  if (r >= params.rows) {
    return;
  }
  var stream = row_stream(r);
  for (var t = 0u; t < DRAWS; t++) {
    let at = r * DRAWS + t;
    words[at] = stream_word(&stream, t);
    uniforms[at] = stream_uniform(&stream, t);
    normals[at] = stream_normal(&stream, t);
  }
}
