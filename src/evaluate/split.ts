import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { RowStream } from '../prf/stream.js';

/** Share of patients (or rows) held back as controls unless the user sets another. */
export const DEFAULT_CONTROL_SHARE = 0.2;

const encoder = new TextEncoder();

/**
 * The keyed split of an input into targets (released) and controls (never released).
 * With a patient column every row of a patient falls on the same side: the side is
 * decided by HMAC-SHA-256 of the patient's text under the split key, so it does not
 * depend on row order. Without one, row i's side is draw 0 of its PRF stream.
 */
export class KeyedSplit {
  private readonly stream: RowStream;
  private readonly hmacKey: Uint8Array;
  private readonly threshold: number;
  /** Side of every patient seen, because each pass over the input needs it again. */
  private readonly patients = new Map<string, boolean>();

  constructor(
    key: Uint32Array,
    readonly controlShare: number,
  ) {
    this.stream = new RowStream(key);
    this.hmacKey = new Uint8Array(key.buffer.slice(key.byteOffset, key.byteOffset + key.byteLength));
    this.threshold = controlShare * 2 ** 32;
  }

  /** Returns whether the row with 0-based index `row` in the input is a control. */
  isControlRow(row: number): boolean {
    return this.stream.seek(row).uniform(0) < this.controlShare;
  }

  /** Returns whether the patient named `patient` is a control. */
  isControlPatient(patient: string): boolean {
    let control = this.patients.get(patient);
    if (control === undefined) {
      const mac = hmac(sha256, this.hmacKey, encoder.encode(patient));
      const word = ((mac[0] << 24) | (mac[1] << 16) | (mac[2] << 8) | mac[3]) >>> 0;
      control = word < this.threshold;
      this.patients.set(patient, control);
    }
    return control;
  }

  /** The filter that keeps one side of the split, for a FilteredTable. */
  filter(patientColumn: string | undefined, side: 'targets' | 'controls'): (header: string[]) => (record: string[], row: number) => boolean {
    const wantControl = side === 'controls';
    return (header) => {
      const at = patientColumn === undefined ? -1 : header.indexOf(patientColumn);
      if (at === -1) return (_record, row) => this.isControlRow(row) === wantControl;
      return (record) => this.isControlPatient(record[at]) === wantControl;
    };
  }
}
