import { chmod, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { InputError } from '../errors.js';
import { randomSecret } from '../prf/keys.js';
import { writeFileAtomic } from '../io/atomic_file.js';
import { formatKeyText, parseKeyText } from '../pipeline/key_text.js';

export { KEY_WARNING } from '../pipeline/key_text.js';

/**
 * Reads a key file (64 hexadecimal characters), or creates one with a fresh secret
 * from the OS CSPRNG (mode 0600) when the path does not exist yet.
 */
export async function readOrCreateKey(path: string): Promise<{ secret: Uint8Array; created: boolean }> {
  if (!existsSync(path)) {
    const secret = randomSecret();
    await writeFileAtomic(path, formatKeyText(secret));
    await chmod(path, 0o600);
    return { secret, created: true };
  }
  return { secret: parseKeyText(await readFile(path, 'utf8'), path), created: false };
}

/** Problem and fix of the InputError raised when a shared key file is missing. */
export interface MissingKeyMessage {
  problem: string;
  fix: string;
}

/**
 * Reads a key file that other processes of the same run use too (shards, partial fits,
 * stream partitions). A missing file is an InputError and nothing is created, because a
 * fresh key would give this process draws that disagree with the others'.
 */
export async function readSharedKey(path: string, missing: MissingKeyMessage): Promise<Uint8Array> {
  if (!existsSync(path)) throw new InputError(missing.problem, missing.fix, { file: path });
  return parseKeyText(await readFile(path, 'utf8'), path);
}
