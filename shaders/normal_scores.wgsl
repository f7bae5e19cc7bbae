// Normal scores with latent Gibbs sweeps, one row per invocation; the twin of
// src/reference/normal_scores.ts. Bindings: params, x (float32 bits; NaN = missing),
// tables (packed marginals), gibbs (conditional-mean coefficients, then conditional
// standard deviations), words (the row's stream words from stream_words.wgsl, D · (1 +
// SWEEPS) of them), scores (output). Columnar: column j of row r at j * rows + r, and
// likewise draw t at t * rows + r.
// The draw code has a single call site on purpose: inlining one truncated-normal draw
// per coordinate and sweep made lavapipe's shader compile take seconds.

const D: u32 = {{D}}u;
const WORKGROUP_SIZE: u32 = {{WORKGROUP_SIZE}}u;
const SWEEPS: u32 = {{SWEEPS}}u;
{{COLUMN_CONSTANTS}}

@compute @workgroup_size({{WORKGROUP_SIZE}})
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let r = batch_row(id, groups);
  let n = params.rows;
  if (r >= n) {
    return;
  }
  // The scores live in scalar variables z0, z1, … read and written through switches on
  // the column, so no private array is indexed with a variable: lavapipe keeps such an
  // array in memory, and the sweeps' dot products ran several times slower.
{{Z_DECLARE}}
  var lo: array<f32, D>;
  var hi: array<f32, D>;

  // Marginals: a point score for continuous values, a randomized-PIT draw inside the
  // tie interval for tied ones, 0 for missing ones (redrawn by the sweeps).
  for (var j = 0u; j < D; j++) {
    let bits = x[j * n + r];
    if ((bits & 0x7f800000u) == 0x7f800000u) {
      lo[j] = -SCORE_BOUND;
      hi[j] = SCORE_BOUND;
      continue;
    }
    let interval = cell_interval(j, bitcast<f32>(bits));
    lo[j] = interval.x;
    hi[j] = interval.y;
    var value = interval.x;
    if (interval.x != interval.y) {
      value = truncated_standard_normal(interval.x, interval.y, word_to_uniform(words[j * n + r]));
    }
{{Z_SET}}
  }

  // Gibbs sweeps: each tied or missing coordinate is redrawn from its conditional given
  // the others, truncated to its tie interval; draw D + s·D + j of the row's stream.
  for (var s = 0u; s < SWEEPS; s++) {
    for (var j = 0u; j < D; j++) {
      if (lo[j] == hi[j]) {
        continue;
      }
      var mean = 0.0;
{{Z_MEAN}}
      let sd = gibbs[D * D + j];
      let v = word_to_uniform(words[(D + s * D + j) * n + r]);
      let value = mean + sd * truncated_standard_normal((lo[j] - mean) / sd, (hi[j] - mean) / sd, v);
{{Z_SET}}
    }
  }

{{Z_STORE}}
}
