import { InputError } from '../errors.js';
import type { FitState } from './fit.js';

/** First bytes of a partial fit file. */
const MAGIC = 'GMFITv1\n';
const ALIGN = 8;

interface BlobEntry {
  type: 'f64' | 'f32';
  offset: number;
  length: number;
}

/**
 * Encodes a partial fit as one binary file: the magic line, a little-endian u32 with the
 * byte length of a JSON header, the header (the state with each typed array replaced by
 * {"$blob": index}), then the arrays' raw little-endian bytes, each 8-byte aligned. A
 * state of 10^6 sampled rows and exact sketches runs to hundreds of megabytes, which
 * JSON numbers would multiply.
 */
export function encodeFitState(state: FitState): Uint8Array {
  const arrays: (Float64Array | Float32Array)[] = [];
  const header = JSON.stringify(state, (_key, value: unknown) => {
    if (value instanceof Float64Array || value instanceof Float32Array) {
      arrays.push(value);
      return { $blob: arrays.length - 1 };
    }
    return value;
  });
  const blobs: BlobEntry[] = [];
  let offset = 0;
  for (const array of arrays) {
    blobs.push({ type: array instanceof Float64Array ? 'f64' : 'f32', offset, length: array.length });
    offset += Math.ceil(array.byteLength / ALIGN) * ALIGN;
  }
  const json = new TextEncoder().encode(JSON.stringify({ blobs, state: JSON.parse(header) }));
  const start = Math.ceil((MAGIC.length + 4 + json.length) / ALIGN) * ALIGN;
  const out = new Uint8Array(start + offset);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, json.length, true);
  out.set(json, MAGIC.length + 4);
  arrays.forEach((array, i) => {
    out.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), start + blobs[i].offset);
  });
  return out;
}

/** Decodes a file written by encodeFitState; anything else is an InputError. */
export function decodeFitState(bytes: Uint8Array, source: string): FitState {
  const notState = (): never => {
    throw new InputError('file is not a partial fit written by `geomask fit --partial`', 'give the files that `geomask fit --partial` wrote', { file: source });
  };
  if (bytes.length < MAGIC.length + 4 || new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) notState();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const jsonLength = view.getUint32(MAGIC.length, true);
  const start = Math.ceil((MAGIC.length + 4 + jsonLength) / ALIGN) * ALIGN;
  let parsed: { blobs: BlobEntry[]; state: unknown };
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes.subarray(MAGIC.length + 4, MAGIC.length + 4 + jsonLength)));
  } catch {
    return notState();
  }
  const arrays = parsed.blobs.map(({ type, offset, length }) => {
    const size = type === 'f64' ? 8 : 4;
    if (start + offset + length * size > bytes.length) notState();
    // Copied into fresh buffers, so each array is aligned and owns its memory (a Node
    // Buffer's slice would share the Buffer's pool).
    const copy = new Uint8Array(length * size);
    copy.set(bytes.subarray(start + offset, start + offset + length * size));
    return type === 'f64' ? new Float64Array(copy.buffer) : new Float32Array(copy.buffer);
  });
  const revive = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(revive);
    if (value !== null && typeof value === 'object') {
      const blob = (value as { $blob?: number }).$blob;
      if (typeof blob === 'number') return arrays[blob];
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, revive(inner)]));
    }
    return value;
  };
  return revive(parsed.state) as FitState;
}
