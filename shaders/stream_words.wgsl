// Stream words of a batch: the first WORDS draws of each row's ChaCha20 stream, one
// block (16 words) per invocation, so that kernels with many draws per row read them
// from a buffer instead of running ChaCha20 among their own live values (lavapipe
// spilled those and the rounds ran several times slower). Bindings: params, words
// (output). Layout: draw t of row r at t * rows + r. Invocation i computes block
// i / rows of row i mod rows, so neighbouring lanes write neighbouring words.

const WORDS: u32 = {{WORDS}}u;
const BLOCKS: u32 = (WORDS + 15u) / 16u;
const WORKGROUP_SIZE: u32 = {{WORKGROUP_SIZE}}u;

@compute @workgroup_size({{WORKGROUP_SIZE}})
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = batch_row(id, groups);
  let n = params.rows;
  if (i >= n * BLOCKS) {
    return;
  }
  let b = i / n;
  let r = i - b * n;
  let row = global_row(r);
  let block = chacha_block(params.key0, params.key1, b, row.x, row.y);
  let first = b * 16u;
  for (var q = 0u; q < 4u; q++) {
    for (var c = 0u; c < 4u; c++) {
      let t = first + q * 4u + c;
      if (t < WORDS) {
        words[t * n + r] = block[q][c];
      }
    }
  }
}
