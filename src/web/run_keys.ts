import { RunKeys } from '../pipeline/keys.js';
import { randomSecret } from '../prf/keys.js';
import type { KeyChoice } from './protocol.js';

/**
 * Derives the keys of a page job as the CLI derives them, from the key file's secret or
 * from a fresh secret that lives only in the worker's memory. The returned `report`
 * names the key mode and label for the run report, never the secret.
 */
export function pageRunKeys(key: KeyChoice, purpose: string, log: (line: string) => void): { keys: RunKeys; report: object } {
  if (key.mode === 'key-file') return { keys: new RunKeys(key.secret, key.label), report: { mode: 'key-file', file: key.file, label: key.label } };
  log(`this ${purpose} uses a fresh ephemeral key (never written anywhere); choose a key file to make it reproducible`);
  return { keys: new RunKeys(randomSecret(), key.label), report: { mode: 'ephemeral', label: key.label } };
}
