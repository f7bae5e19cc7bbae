import { InputError } from '../errors.js';
import { parseOperators, PROFILES, profileOperators, resolveOperators, type OperatorSpec, type Profile } from '../pipeline/operators.js';
import type { SettingRequest } from './evaluate.js';

/** Settings `--grid` runs when given no list: both profiles, with and without PRAM. */
export const DEFAULT_GRID = 'low;moderate;low:no-pram;moderate:no-pram';

function isProfile(text: string): text is Profile {
  return (PROFILES as readonly string[]).includes(text);
}

/**
 * Parses one setting: a profile name (`low`), a profile without its PRAM stage
 * (`low:no-pram`), or an operator list as --ops takes it. Operator lists are parsed
 * here, so a typo fails before the data is read.
 */
export function parseSetting(text: string): SettingRequest {
  const label = text.trim();
  const [name, modifier] = label.split(':');
  if (isProfile(name) && (modifier === undefined || modifier === 'no-pram')) {
    const withoutPram = modifier === 'no-pram';
    return {
      label,
      operators: ({ d, rows }) => {
        const specs = profileOperators(name, d, rows).filter((s) => !withoutPram || s.op !== 'pram');
        return resolveOperators(specs, d);
      },
    };
  }
  if (modifier !== undefined && isProfile(name)) {
    throw new InputError(`setting "${label}" has an unknown modifier ":${modifier}"`, 'write a profile as NAME or NAME:no-pram');
  }
  const specs: OperatorSpec[] = parseOperators(label);
  return { label, operators: ({ d }) => resolveOperators(specs, d) };
}

/** Parses a --grid list of settings separated by ";". */
export function parseGrid(text: string): SettingRequest[] {
  const entries = text.split(';').map((s) => s.trim()).filter((s) => s !== '');
  if (entries.length === 0) throw new InputError('--grid is empty', `list settings separated by ";", for example "${DEFAULT_GRID}"`);
  return entries.map(parseSetting);
}
