import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { InputError, type InputLocation } from '../errors.js';

const DAY_MS = 86_400_000;
const encoder = new TextEncoder();
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})([T ].*)?$/;

/** Whether a text is an ISO date, optionally with a time part ("2024-03-01", "2024-03-01 08:15"). */
export function isIsoDate(text: string): boolean {
  const match = DATE_PATTERN.exec(text.trim());
  if (!match) return false;
  const time = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return new Date(time).getUTCDate() === Number(match[3]);
}

/**
 * Keyed per-patient date shifting: every date of one patient moves by the same whole
 * number of days in [−maxDays, maxDays] (whole weeks when `weeks`), so intervals within
 * a patient survive and weekdays too when shifting by weeks. The offset is an HMAC of
 * the patient's identifier (or of the row index when there is no patient column).
 */
export class DateShifter {
  constructor(
    private readonly key: Uint8Array,
    private readonly maxDays: number,
    private readonly weeks: boolean,
  ) {}

  offsetDays(patient: string): number {
    const mac = hmac(sha256, this.key, encoder.encode(patient));
    const u = new DataView(mac.buffer, mac.byteOffset, 4).getUint32(0) / 4294967296;
    if (this.weeks) {
      const steps = Math.floor(this.maxDays / 7);
      return 7 * (Math.floor(u * (2 * steps + 1)) - steps);
    }
    return Math.floor(u * (2 * this.maxDays + 1)) - this.maxDays;
  }

  /** Shifts an ISO date text by `days`, keeping any time part as written. */
  shift(text: string, days: number, where: InputLocation): string {
    const match = DATE_PATTERN.exec(text.trim());
    if (!match || !isIsoDate(text)) {
      throw new InputError(`"${text}" is not an ISO date (YYYY-MM-DD)`, 'write dates as YYYY-MM-DD, list the value in "missing_tokens", or set the column\'s role to "drop"', where);
    }
    const time = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) + days * DAY_MS;
    const shifted = new Date(time);
    const y = String(shifted.getUTCFullYear()).padStart(4, '0');
    const m = String(shifted.getUTCMonth() + 1).padStart(2, '0');
    const d = String(shifted.getUTCDate()).padStart(2, '0');
    return `${y}-${m}-${d}${match[4] ?? ''}`;
  }
}
