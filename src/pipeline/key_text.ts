import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { InputError } from '../errors.js';
import { SECRET_BYTES } from '../prf/keys.js';

/** Warning shown whenever a key is kept: it undoes the transform for whoever holds it. */
export const KEY_WARNING =
  'warning: whoever holds this key file can invert rotate, interpolate and mix and re-link the release to patients; only project discards information the key cannot bring back. Store it like the raw data, never next to the release.';

/**
 * Reads the text of a key file: 64 hexadecimal characters, surrounding whitespace
 * ignored. `fix` is the advice of the InputError raised for any other text.
 */
export function parseKeyText(text: string, file: string, fix = 'give a key file written by geomask, or a new path to create one'): Uint8Array {
  const hex = text.trim();
  if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== SECRET_BYTES * 2) {
    throw new InputError(`key file must contain exactly ${SECRET_BYTES * 2} hexadecimal characters`, fix, { file });
  }
  return hexToBytes(hex);
}

/** The text of a key file for a secret: lowercase hexadecimal and a line break. */
export function formatKeyText(secret: Uint8Array): string {
  return `${bytesToHex(secret)}\n`;
}
