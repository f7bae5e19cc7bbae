import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { deriveStageKey, derivePseudonymKey } from '../prf/keys.js';

/**
 * Keys of one run, all derived from the run secret and the dataset label with
 * HKDF-SHA-256 (salt "ehr-geomask/1/" + label, info "stage/position"). The same
 * secret and label give the same keys on any machine, so shards agree.
 */
export class RunKeys {
  constructor(
    private readonly secret: Uint8Array,
    readonly label: string,
  ) {}

  stage(name: string, position: number): Uint32Array {
    return deriveStageKey(this.secret, this.label, name, position);
  }

  /** Normal scores and Gibbs sweeps of apply. */
  latent(): Uint32Array {
    return this.stage('normal_scores', 0);
  }

  /** Operator `position` of the operator list. */
  operator(name: string, position: number): Uint32Array {
    return this.stage(name, position);
  }

  order(): Uint32Array {
    return this.stage('order', 0);
  }

  fitSample(): Uint32Array {
    return this.stage('fit_sample', 0);
  }

  fitRound(round: number): Uint32Array {
    return this.stage('fit_latent', round);
  }

  pseudonym(): Uint8Array {
    return derivePseudonymKey(this.secret, this.label);
  }

  /** Raw HMAC key of the per-patient date offsets. */
  dateShift(): Uint8Array {
    return hkdf(sha256, this.secret, new TextEncoder().encode(`ehr-geomask/1/${this.label}`), new TextEncoder().encode('date_shift/0'), 32);
  }
}
