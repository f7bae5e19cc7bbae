import { chmod, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { InputError } from '../errors.js';
import { randomSecret, SECRET_BYTES } from '../prf/keys.js';
import { writeFileAtomic } from '../io/atomic_file.js';

/** Warning printed whenever a key is kept: it undoes the transform for whoever holds it. */
export const KEY_WARNING =
  'warning: whoever holds this key file can invert rotate, interpolate and mix and re-link the release to patients; only project discards information the key cannot bring back. Store it like the raw data, never next to the release.';

/**
 * Reads a key file (64 hexadecimal characters), or creates one with a fresh secret
 * from the OS CSPRNG (mode 0600) when the path does not exist yet.
 */
export async function readOrCreateKey(path: string): Promise<{ secret: Uint8Array; created: boolean }> {
  if (!existsSync(path)) {
    const secret = randomSecret();
    await writeFileAtomic(path, `${Buffer.from(secret).toString('hex')}\n`);
    await chmod(path, 0o600);
    return { secret, created: true };
  }
  const text = (await readFile(path, 'utf8')).trim();
  if (!/^[0-9a-fA-F]+$/.test(text) || text.length !== SECRET_BYTES * 2) {
    throw new InputError(`key file does not hold ${SECRET_BYTES * 2} hexadecimal characters`, 'give a key file written by geomask, or a new path to create one', { file: path });
  }
  return { secret: Uint8Array.from(Buffer.from(text, 'hex')), created: false };
}
