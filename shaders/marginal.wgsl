// Marginal lookups against the packed tables (src/frame/tables.ts), the twin of
// src/reference/marginal_lookup.ts. Requires the binding `tables: array<f32>` and the
// constants D, COLUMN_KIND, COLUMN_OFFSET and COLUMN_SIZE. Column j holds COLUMN_SIZE[j]
// values (table entries or knots), then the normal-score bound of each, then the index
// of the last entry equal to each (so a tied value needs one binary search, not two).

const KNOTS_KIND: u32 = 1u;

// First index in [start, start + size) whose value is ≥ x (size if none).
fn lower_bound(start: u32, size: u32, x: f32) -> u32 {
  var lo = 0u;
  var hi = size;
  while (lo < hi) {
    let mid = (lo + hi) >> 1u;
    if (tables[start + mid] < x) {
      lo = mid + 1u;
    } else {
      hi = mid;
    }
  }
  return lo;
}

// Normal-score interval (lo, hi) of value x in column j; lo == hi for a single score.
fn cell_interval(j: u32, x: f32) -> vec2f {
  let start = COLUMN_OFFSET[j];
  let size = COLUMN_SIZE[j];
  let scores = start + size;
  let run_ends = start + 2u * size;

  if (COLUMN_KIND[j] != KNOTS_KIND) {
    // Value table: the nearest entry (the lower one on an exact midpoint) owns x.
    var e = lower_bound(start, size, x);
    if (e == size) {
      e = size - 1u;
    } else if (e > 0u && tables[start + e] != x && x - tables[start + e - 1u] <= tables[start + e] - x) {
      e -= 1u;
    }
    var lo = -SCORE_BOUND;
    if (e > 0u) {
      lo = tables[scores + e - 1u];
    }
    return vec2f(lo, tables[scores + e]);
  }

  let k = size - 1u;
  let first = tables[start];
  let last = tables[start + k];
  if (x <= first) {
    let b = max(1u, u32(tables[run_ends]));
    return vec2f(-SCORE_BOUND, tables[scores + b]);
  }
  if (x >= last) {
    let a = min(k - 1u, lower_bound(start, size, last));
    return vec2f(tables[scores + a], SCORE_BOUND);
  }
  let a = lower_bound(start, size, x);
  if (tables[start + a] == x) {
    let b = u32(tables[run_ends + a]);
    return vec2f(tables[scores + a], tables[scores + b]);
  }
  let below = tables[start + a - 1u];
  let fraction = (x - below) / (tables[start + a] - below);
  let z = normal_quantile((f32(a - 1u) + fraction) / f32(k));
  return vec2f(z, z);
}

// Back-mapping position of score z in column j: a table entry index, or t = Φ(z)·K.
fn score_position(j: u32, z: f32) -> f32 {
  let start = COLUMN_OFFSET[j];
  let size = COLUMN_SIZE[j];
  if (COLUMN_KIND[j] != KNOTS_KIND) {
    let e = lower_bound(start + size, size, z);
    return f32(min(e, size - 1u));
  }
  let k = f32(size - 1u);
  return clamp(normal_tail(-z) * k, 0.0, k);
}
