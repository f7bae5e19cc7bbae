/**
 * ChaCha20 block function (RFC 8439, section 2.3) used as a counter-based PRF.
 *
 * A stage key (8 words) and a row index select an independent stream: the nonce
 * is (row low 32 bits, row high 32 bits, 0) and the block counter is the block
 * number inside that stream, so draw t of row i is word t mod 16 of block
 * floor(t / 16). The WGSL twin lives in shaders/chacha20.wgsl.
 */

/** "expand 32-byte k" as four little-endian words. */
export const CHACHA_CONSTANTS = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574] as const;

/** Words per ChaCha20 block. */
export const BLOCK_WORDS = 16;

function rotl(x: number, n: number): number {
  return ((x << n) | (x >>> (32 - n))) >>> 0;
}

/**
 * Computes one ChaCha20 block into `out` (16 words, starting at `outOffset`).
 * `key` holds 8 words and `nonce` 3 words, all little-endian as the RFC serializes them.
 */
export function chachaBlock(
  key: Uint32Array,
  counter: number,
  nonce0: number,
  nonce1: number,
  nonce2: number,
  out: Uint32Array,
  outOffset = 0,
): void {
  const s0: number = CHACHA_CONSTANTS[0], s1: number = CHACHA_CONSTANTS[1];
  const s2: number = CHACHA_CONSTANTS[2], s3: number = CHACHA_CONSTANTS[3];
  const s4 = key[0], s5 = key[1], s6 = key[2], s7 = key[3];
  const s8 = key[4], s9 = key[5], s10 = key[6], s11 = key[7];
  const s12 = counter >>> 0, s13 = nonce0 >>> 0, s14 = nonce1 >>> 0, s15 = nonce2 >>> 0;

  let x0 = s0, x1 = s1, x2 = s2, x3 = s3, x4 = s4, x5 = s5, x6 = s6, x7 = s7;
  let x8 = s8, x9 = s9, x10 = s10, x11 = s11, x12 = s12, x13 = s13, x14 = s14, x15 = s15;

  // Ten double rounds: a column round, then a diagonal round. The quarter round is
  // written out inline because a helper returning four words would allocate.
  for (let i = 0; i < 10; i++) {
    x0 = (x0 + x4) | 0; x12 = rotl(x12 ^ x0, 16); x8 = (x8 + x12) | 0; x4 = rotl(x4 ^ x8, 12);
    x0 = (x0 + x4) | 0; x12 = rotl(x12 ^ x0, 8); x8 = (x8 + x12) | 0; x4 = rotl(x4 ^ x8, 7);
    x1 = (x1 + x5) | 0; x13 = rotl(x13 ^ x1, 16); x9 = (x9 + x13) | 0; x5 = rotl(x5 ^ x9, 12);
    x1 = (x1 + x5) | 0; x13 = rotl(x13 ^ x1, 8); x9 = (x9 + x13) | 0; x5 = rotl(x5 ^ x9, 7);
    x2 = (x2 + x6) | 0; x14 = rotl(x14 ^ x2, 16); x10 = (x10 + x14) | 0; x6 = rotl(x6 ^ x10, 12);
    x2 = (x2 + x6) | 0; x14 = rotl(x14 ^ x2, 8); x10 = (x10 + x14) | 0; x6 = rotl(x6 ^ x10, 7);
    x3 = (x3 + x7) | 0; x15 = rotl(x15 ^ x3, 16); x11 = (x11 + x15) | 0; x7 = rotl(x7 ^ x11, 12);
    x3 = (x3 + x7) | 0; x15 = rotl(x15 ^ x3, 8); x11 = (x11 + x15) | 0; x7 = rotl(x7 ^ x11, 7);

    x0 = (x0 + x5) | 0; x15 = rotl(x15 ^ x0, 16); x10 = (x10 + x15) | 0; x5 = rotl(x5 ^ x10, 12);
    x0 = (x0 + x5) | 0; x15 = rotl(x15 ^ x0, 8); x10 = (x10 + x15) | 0; x5 = rotl(x5 ^ x10, 7);
    x1 = (x1 + x6) | 0; x12 = rotl(x12 ^ x1, 16); x11 = (x11 + x12) | 0; x6 = rotl(x6 ^ x11, 12);
    x1 = (x1 + x6) | 0; x12 = rotl(x12 ^ x1, 8); x11 = (x11 + x12) | 0; x6 = rotl(x6 ^ x11, 7);
    x2 = (x2 + x7) | 0; x13 = rotl(x13 ^ x2, 16); x8 = (x8 + x13) | 0; x7 = rotl(x7 ^ x8, 12);
    x2 = (x2 + x7) | 0; x13 = rotl(x13 ^ x2, 8); x8 = (x8 + x13) | 0; x7 = rotl(x7 ^ x8, 7);
    x3 = (x3 + x4) | 0; x14 = rotl(x14 ^ x3, 16); x9 = (x9 + x14) | 0; x4 = rotl(x4 ^ x9, 12);
    x3 = (x3 + x4) | 0; x14 = rotl(x14 ^ x3, 8); x9 = (x9 + x14) | 0; x4 = rotl(x4 ^ x9, 7);
  }

  out[outOffset] = x0 + s0;
  out[outOffset + 1] = x1 + s1;
  out[outOffset + 2] = x2 + s2;
  out[outOffset + 3] = x3 + s3;
  out[outOffset + 4] = x4 + s4;
  out[outOffset + 5] = x5 + s5;
  out[outOffset + 6] = x6 + s6;
  out[outOffset + 7] = x7 + s7;
  out[outOffset + 8] = x8 + s8;
  out[outOffset + 9] = x9 + s9;
  out[outOffset + 10] = x10 + s10;
  out[outOffset + 11] = x11 + s11;
  out[outOffset + 12] = x12 + s12;
  out[outOffset + 13] = x13 + s13;
  out[outOffset + 14] = x14 + s14;
  out[outOffset + 15] = x15 + s15;
}

/** Reads 32 key bytes as 8 little-endian words. */
export function keyWords(key: Uint8Array): Uint32Array {
  if (key.length !== 32) throw new Error(`ChaCha20 key must be 32 bytes, got ${key.length}`);
  const words = new Uint32Array(8);
  const view = new DataView(key.buffer, key.byteOffset, 32);
  for (let i = 0; i < 8; i++) words[i] = view.getUint32(4 * i, true);
  return words;
}
