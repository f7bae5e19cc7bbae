// Geodesic rotation in whitened space, in place, one row per invocation; the twin of
// src/reference/rotate.ts. Bindings: params, w. Draws of a row's stream: θ uniform at 0,
// the radius jitter ε at 2 (cosine branch of the pair 2–3), direction g at 4 onwards.

const D: u32 = {{D}}u;
const WORKGROUP_SIZE: u32 = {{WORKGROUP_SIZE}}u;
const THETA_MIN: f32 = {{THETA_MIN}};
const THETA_SPAN: f32 = {{THETA_SPAN}};
const RHO: f32 = {{RHO}};
const JITTER: f32 = {{JITTER}};
const KEEP_RADIUS: bool = {{KEEP_RADIUS}};

@compute @workgroup_size({{WORKGROUP_SIZE}})
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let r = batch_row(id, groups);
  let n = params.rows;
  if (r >= n) {
    return;
  }

  var u: array<f32, D>;
  var radius_squared = 0.0;
  for (var j = 0u; j < D; j++) {
    u[j] = w[j * n + r];
    radius_squared += u[j] * u[j];
  }
  if (radius_squared == 0.0) {
    return;
  }
  let radius = sqrt(radius_squared);
  for (var j = 0u; j < D; j++) {
    u[j] /= radius;
  }

  var stream = row_stream(r);
  let theta = THETA_MIN + THETA_SPAN * stream_uniform(&stream, 0u);

  // v: the part of a keyed normal vector g orthogonal to u, normalized.
  var g: array<f32, D>;
  var along = 0.0;
  for (var j = 0u; j < D; j++) {
    g[j] = stream_normal(&stream, 4u + j);
    along += g[j] * u[j];
  }
  var norm_squared = 0.0;
  for (var j = 0u; j < D; j++) {
    g[j] -= along * u[j];
    norm_squared += g[j] * g[j];
  }
  if (norm_squared == 0.0) {
    return;
  }
  let norm = sqrt(norm_squared);

  var new_radius = radius;
  if (!KEEP_RADIUS) {
    let score = chi_normal_score(radius);
    let epsilon = stream_normal(&stream, 2u);
    new_radius = chi_radius_from_score(RHO * score + JITTER * epsilon);
  }

  let a = new_radius * cos(theta);
  let b = new_radius * sin(theta) / norm;
  for (var j = 0u; j < D; j++) {
    w[j * n + r] = a * u[j] + b * g[j];
  }
}
