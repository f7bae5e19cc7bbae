import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { prfKernel } from '../kernels/prf.js';
import { streamWordsInvocations, streamWordsKernel } from '../kernels/stream_words.js';
import { streamWords } from '../src/reference/stream_words.js';
import { chachaBlock, keyWords } from '../src/prf/chacha20.js';
import { deriveStageKey, pseudonym, derivePseudonymKey } from '../src/prf/keys.js';
import { RowStream, wordToUniform } from '../src/prf/stream.js';
import { testGpu } from './helpers/gpu.js';
import { maxRelativeError, runKernel } from './helpers/kernels.js';

function hex(words: Uint32Array): string {
  return Buffer.from(words.buffer, words.byteOffset, words.byteLength).toString('hex');
}

function blockHex(key: Uint8Array, counter: number, nonce: Uint8Array): string {
  const view = new DataView(nonce.buffer, nonce.byteOffset, 12);
  const out = new Uint32Array(16);
  chachaBlock(keyWords(key), counter, view.getUint32(0, true), view.getUint32(4, true), view.getUint32(8, true), out);
  return hex(out);
}

describe('ChaCha20 block function', () => {
  it('matches RFC 8439 section 2.3.2', () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => i);
    const nonce = Uint8Array.from([0, 0, 0, 0x09, 0, 0, 0, 0x4a, 0, 0, 0, 0]);
    expect(blockHex(key, 1, nonce)).toBe(
      '10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e' +
        'd2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e',
    );
  });

  it('matches RFC 8439 appendix A.1 vectors 1 and 2', () => {
    const key = new Uint8Array(32);
    const nonce = new Uint8Array(12);
    expect(blockHex(key, 0, nonce)).toBe(
      '76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7' +
        'da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586',
    );
    expect(blockHex(key, 1, nonce)).toBe(
      '9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed' +
        '29b721769ce64e43d57133b074d839d531ed1f28510afb45ace10a1f4b794d6f',
    );
  });

  it('agrees with OpenSSL on random keys', () => {
    for (let trial = 0; trial < 20; trial++) {
      const key = randomBytes(32);
      const nonce = randomBytes(12);
      const counter = randomBytes(4).readUInt32LE(0);
      // OpenSSL's chacha20 IV is the 32-bit counter followed by the 96-bit nonce.
      const iv = Buffer.concat([Buffer.from(Uint32Array.of(counter).buffer), nonce]);
      const keystream = createCipheriv('chacha20', key, iv).update(Buffer.alloc(64));
      expect(blockHex(key, counter, nonce)).toBe(keystream.toString('hex'));
    }
  });
});

describe('row streams', () => {
  it('maps words to uniforms strictly inside (0, 1)', () => {
    expect(wordToUniform(0)).toBe(0.5 / 2 ** 24);
    expect(wordToUniform(0xffffffff)).toBe(1 - 0.5 / 2 ** 24);
  });

  it('places draw t in word t mod 16 of block t / 16', () => {
    const key = keyWords(randomBytes(32));
    const row = 2 ** 33 + 17;
    const stream = new RowStream(key).seek(row);
    const block = new Uint32Array(16);
    chachaBlock(key, 2, row >>> 0, Math.floor(row / 2 ** 32), 0, block);
    expect(stream.word(37)).toBe(block[5]);
  });

  it('gives standard normals by Box–Muller', () => {
    const stream = new RowStream(keyWords(randomBytes(32)));
    let sum = 0;
    let squares = 0;
    const n = 20000;
    for (let r = 0; r < n; r++) {
      stream.seek(r);
      const z = stream.normal(r % 7);
      sum += z;
      squares += z * z;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.03);
    expect(Math.abs(squares / n - 1)).toBeLessThan(0.05);
  });
});

describe('key derivation', () => {
  it('is HKDF-SHA-256 with the documented salt and info', () => {
    const secret = randomBytes(32);
    const expected = Buffer.from(hkdfSync('sha256', secret, 'ehr-geomask/1/data.csv', 'rotate/2', 32));
    const words = deriveStageKey(secret, 'data.csv', 'rotate', 2);
    expect(Buffer.from(words.buffer).toString('hex')).toBe(expected.toString('hex'));
  });

  it('pseudonymizes with truncated HMAC-SHA-256', () => {
    const key = derivePseudonymKey(randomBytes(32), 'x');
    const value = pseudonym(key, 'MRN-001');
    expect(value).toMatch(/^[0-9a-f]{16}$/);
    expect(pseudonym(key, 'MRN-001')).toBe(value);
    expect(pseudonym(key, 'MRN-002')).not.toBe(value);
  });
});

describe('PRF kernel', () => {
  it('matches the TypeScript PRF bit for bit', async () => {
    const gpu = await testGpu();
    if (!gpu) return;
    const rows = 257;
    const draws = 70;
    // Rows cross the 2^32 boundary so the high nonce word changes inside the batch.
    const rowBase = 2 ** 32 - 100;
    const key = keyWords(randomBytes(32));
    const out = await runKernel(gpu, prfKernel(draws), rows, rowBase, key, {}, { words: rows * draws * 4, uniforms: rows * draws * 4, normals: rows * draws * 4 });
    const words = new Uint32Array(out.words);
    const uniforms = new Float32Array(out.uniforms);
    const normals = new Float32Array(out.normals);

    const stream = new RowStream(key);
    const expectedWords = new Uint32Array(rows * draws);
    const expectedUniforms = new Float64Array(rows * draws);
    const expectedNormals = new Float64Array(rows * draws);
    for (let r = 0; r < rows; r++) {
      stream.seek(rowBase + r);
      for (let t = 0; t < draws; t++) {
        expectedWords[r * draws + t] = stream.word(t);
        expectedUniforms[r * draws + t] = stream.uniform(t);
        expectedNormals[r * draws + t] = stream.normal(t);
      }
    }
    expect(Buffer.from(words.buffer).equals(Buffer.from(expectedWords.buffer))).toBe(true);
    expect(maxRelativeError(uniforms, expectedUniforms)).toBeLessThan(1e-7);
    expect(maxRelativeError(normals, expectedNormals)).toBeLessThan(1e-5);
  });
});

describe('stream_words kernel', () => {
  it('matches the TypeScript PRF bit for bit', async () => {
    const gpu = await testGpu();
    if (!gpu) return;
    const rows = 300;
    // 45 words: two whole blocks and a part of the third, which the kernel must cut short.
    const words = 45;
    const rowBase = 2 ** 32 - 150;
    const key = keyWords(randomBytes(32));
    const out = await runKernel(gpu, streamWordsKernel(words), rows, rowBase, key, {}, { words: rows * words * 4 }, streamWordsInvocations(words, rows));
    const expected = streamWords({ rows, rowBase, rowStride: 1 }, key, words);
    expect(Buffer.from(out.words).equals(Buffer.from(expected.buffer))).toBe(true);
    // The reference itself: draw t of row r is the stream's word t.
    const stream = new RowStream(key).seek(rowBase + 7);
    expect(expected[44 * rows + 7]).toBe(stream.word(44));
  });
});
