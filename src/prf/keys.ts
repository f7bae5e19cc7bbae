import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { keyWords } from './chacha20.js';

/** Length of a run secret in bytes. */
export const SECRET_BYTES = 32;

const encoder = new TextEncoder();

/** Draws a fresh 32-byte secret from the platform CSPRNG (ephemeral key). */
export function randomSecret(): Uint8Array {
  const secret = new Uint8Array(SECRET_BYTES);
  globalThis.crypto.getRandomValues(secret);
  return secret;
}

/**
 * Derives a stage key: HKDF-SHA-256 with ikm = secret, salt = "ehr-geomask/1/" + label
 * and info = stage name + "/" + position in the pipeline.
 */
export function deriveStageKey(secret: Uint8Array, label: string, stage: string, position: number): Uint32Array {
  const salt = encoder.encode(`ehr-geomask/1/${label}`);
  const info = encoder.encode(`${stage}/${position}`);
  return keyWords(hkdf(sha256, secret, salt, info, 32));
}

/** Derives the raw 32-byte HMAC key used for identifier pseudonyms. */
export function derivePseudonymKey(secret: Uint8Array, label: string): Uint8Array {
  const salt = encoder.encode(`ehr-geomask/1/${label}`);
  return hkdf(sha256, secret, salt, encoder.encode('pseudonym/0'), 32);
}

/** Returns the keyed pseudonym of an identifier: HMAC-SHA-256 hex, first 16 characters. */
export function pseudonym(hmacKey: Uint8Array, value: string): string {
  const mac = hmac(sha256, hmacKey, encoder.encode(value));
  let hex = '';
  for (let i = 0; i < 8; i++) hex += mac[i].toString(16).padStart(2, '0');
  return hex;
}
