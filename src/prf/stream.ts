import { BLOCK_WORDS, chachaBlock } from './chacha20.js';

const TWO_POW_24 = 16777216;
const TWO_PI = 2 * Math.PI;

/** Maps a PRF word to a uniform strictly inside (0, 1): ((word >> 8) + 0.5) / 2^24. */
export function wordToUniform(word: number): number {
  return ((word >>> 8) + 0.5) / TWO_POW_24;
}

/**
 * The PRF stream of one row under one stage key. Draw t is word t mod 16 of
 * block floor(t / 16); blocks are computed lazily and cached, so reading
 * draws in order costs one block function per 16 draws.
 */
export class RowStream {
  private readonly block = new Uint32Array(BLOCK_WORDS);
  private cachedBlock = -1;
  private nonce0 = 0;
  private nonce1 = 0;
  private pairIndex = -1;
  private pairCos = 0;
  private pairSin = 0;

  constructor(private readonly key: Uint32Array) {}

  /** Selects the stream of global row `row` (an integer below 2^53). */
  seek(row: number): this {
    this.nonce0 = row >>> 0;
    this.nonce1 = Math.floor(row / 4294967296) >>> 0;
    this.cachedBlock = -1;
    this.pairIndex = -1;
    return this;
  }

  word(t: number): number {
    const blockIndex = t >>> 4;
    if (blockIndex !== this.cachedBlock) {
      chachaBlock(this.key, blockIndex, this.nonce0, this.nonce1, 0, this.block);
      this.cachedBlock = blockIndex;
    }
    return this.block[t & 15];
  }

  uniform(t: number): number {
    return wordToUniform(this.word(t));
  }

  /** Box–Muller normal for draw t: uniforms 2s and 2s+1 give the cosine and sine branches. */
  normal(t: number): number {
    const index = t >>> 1;
    if (index !== this.pairIndex) {
      const radius = Math.sqrt(-2 * Math.log(this.uniform(2 * index)));
      const angle = TWO_PI * this.uniform(2 * index + 1);
      this.pairCos = radius * Math.cos(angle);
      this.pairSin = radius * Math.sin(angle);
      this.pairIndex = index;
    }
    return (t & 1) === 0 ? this.pairCos : this.pairSin;
  }
}
