// ChaCha20 block function (RFC 8439, section 2.3) as a counter-based PRF, the twin of
// src/prf/chacha20.ts. The state is held as four vec4 rows so that a column round is
// four quarter rounds at once; a diagonal round rotates rows b, c and d into place first.
// Draw t of a row's stream is word t mod 16 of block floor(t / 16), with
// nonce = (row low 32 bits, row high 32 bits, 0).

fn chacha_rotl(v: vec4u, n: u32) -> vec4u {
  return (v << vec4u(n)) | (v >> vec4u(32u - n));
}

fn chacha_block(key0: vec4u, key1: vec4u, counter: u32, nonce0: u32, nonce1: u32) -> array<vec4u, 4> {
  let s0 = vec4u(0x61707865u, 0x3320646eu, 0x79622d32u, 0x6b206574u);
  let s3 = vec4u(counter, nonce0, nonce1, 0u);
  var a = s0;
  var b = key0;
  var c = key1;
  var d = s3;
  for (var i = 0u; i < 10u; i++) {
    a += b; d = chacha_rotl(d ^ a, 16u); c += d; b = chacha_rotl(b ^ c, 12u);
    a += b; d = chacha_rotl(d ^ a, 8u);  c += d; b = chacha_rotl(b ^ c, 7u);
    b = b.yzwx; c = c.zwxy; d = d.wxyz;
    a += b; d = chacha_rotl(d ^ a, 16u); c += d; b = chacha_rotl(b ^ c, 12u);
    a += b; d = chacha_rotl(d ^ a, 8u);  c += d; b = chacha_rotl(b ^ c, 7u);
    b = b.wxyz; c = c.zwxy; d = d.yzwx;
  }
  return array<vec4u, 4>(a + s0, b + key0, c + key1, d + s3);
}

// The stream of one row under one stage key, with the last block and the last
// Box–Muller pair cached.
struct Stream {
  key0: vec4u,
  key1: vec4u,
  nonce0: u32,
  nonce1: u32,
  cached: u32,
  block: array<vec4u, 4>,
  pair_index: u32,
  pair: vec2f,
}

fn stream_open(key0: vec4u, key1: vec4u, row_low: u32, row_high: u32) -> Stream {
  return Stream(key0, key1, row_low, row_high, 0xffffffffu, array<vec4u, 4>(), 0xffffffffu, vec2f());
}

fn stream_word(s: ptr<function, Stream>, t: u32) -> u32 {
  let index = t >> 4u;
  if (index != (*s).cached) {
    (*s).block = chacha_block((*s).key0, (*s).key1, index, (*s).nonce0, (*s).nonce1);
    (*s).cached = index;
  }
  let quad = (*s).block[(t >> 2u) & 3u];
  return quad[t & 3u];
}

// ((word >> 8) + 0.5) / 2^24. In float32 the top values round up to 1.0, so the result is
// clamped to the largest float below 1 and stays strictly inside (0, 1).
fn word_to_uniform(word: u32) -> f32 {
  return min((f32(word >> 8u) + 0.5) * 5.9604644775390625e-8, 0.99999994);
}

fn stream_uniform(s: ptr<function, Stream>, t: u32) -> f32 {
  return word_to_uniform(stream_word(s, t));
}

// log of the uniform of `word`. Above 1/2 it works from the exact complement
// 1 − u = (2^24 − 1 − (word >> 8) + 0.5) / 2^24, since log(u) of a float32 u near 1 would
// keep only a few correct digits and Box–Muller's radius √(−2 log u) inherits the error.
fn log_uniform(word: u32) -> f32 {
  let k = word >> 8u;
  if (k < 8388608u) {
    return log((f32(k) + 0.5) * 5.9604644775390625e-8);
  }
  let c = (f32(16777215u - k) + 0.5) * 5.9604644775390625e-8;
  if (c < 1e-2) {
    return -c * (1.0 + c * (0.5 + c * (1.0 / 3.0 + c * 0.25)));
  }
  return log(1.0 - c);
}

// Box–Muller: uniforms 2s and 2s + 1 give the cosine (even t) and sine (odd t) normals.
fn stream_normal(s: ptr<function, Stream>, t: u32) -> f32 {
  let index = t >> 1u;
  if (index != (*s).pair_index) {
    let log_u1 = log_uniform(stream_word(s, 2u * index));
    let u2 = stream_uniform(s, 2u * index + 1u);
    let radius = sqrt(-2.0 * log_u1);
    let angle = 6.283185307179586 * u2;
    (*s).pair = vec2f(radius * cos(angle), radius * sin(angle));
    (*s).pair_index = index;
  }
  return (*s).pair[t & 1u];
}
