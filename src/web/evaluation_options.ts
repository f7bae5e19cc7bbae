import { InputError } from '../errors.js';
import type { EvaluateSettings } from './protocol.js';

/** Rejects a control share outside (0, 1) and an attack-row count that is not a whole number ≥ 1. */
export function checkEvaluationOptions(options: Pick<EvaluateSettings, 'controlShare' | 'attackRows'>): void {
  if (!(options.controlShare > 0 && options.controlShare < 1)) {
    throw new InputError(`share held back as controls "${options.controlShare}" is not between 0 and 1`, 'give a share such as 0.2');
  }
  if (options.attackRows !== undefined && !(Number.isInteger(options.attackRows) && options.attackRows >= 1)) {
    throw new InputError(`targets to attack "${options.attackRows}" is not a whole number ≥ 1`, 'give a number of targets such as 2000, or leave the field empty to attack every target');
  }
}
