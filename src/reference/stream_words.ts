import { RowStream } from '../prf/stream.js';
import { globalRow, type BatchRows } from './batch.js';

/**
 * Returns the first `words` PRF words of every row of the batch, draw-major: draw t of
 * row r sits at t · rows + r. It is the twin of shaders/stream_words.wgsl.
 */
export function streamWords(batch: BatchRows, key: Uint32Array, words: number): Uint32Array {
  const out = new Uint32Array(words * batch.rows);
  const stream = new RowStream(key);
  for (let r = 0; r < batch.rows; r++) {
    stream.seek(globalRow(batch, r));
    for (let t = 0; t < words; t++) out[t * batch.rows + r] = stream.word(t);
  }
  return out;
}
