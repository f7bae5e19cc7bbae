import { InputError } from '../errors.js';

/** One operator stage as the user wrote it; `resolveOperators` fixes d-dependent values. */
export type OperatorSpec =
  | { op: 'rotate'; thetaMin: number; thetaMax: number; rho: number }
  | { op: 'project'; k: number }
  | { op: 'interpolate'; knn: number; lambdaMin: number; lambdaMax: number; rho: number }
  | { op: 'mix'; k: number; alpha: number }
  | { op: 'pram'; keep: number };

/** An operator stage with every parameter resolved for the frame's dimension d. */
export type ResolvedOperator =
  | { op: 'rotate'; thetaMin: number; thetaMax: number; rho: number }
  | { op: 'project'; k: number; kRequested: number }
  | { op: 'interpolate'; knn: number; lambdaMin: number; lambdaMax: number; rho: number }
  | { op: 'mix'; k: number; alpha: number }
  | { op: 'pram'; keep: number };

export const PROFILES = ['low', 'moderate', 'high'] as const;
export type Profile = (typeof PROFILES)[number];

/** Smallest angle of `low`'s band: arccos(min(0.71, 2.7/√d)), so the band reaches near 90°. */
export function lowProfileThetaMin(d: number): number {
  return Math.acos(Math.min(0.71, 2.7 / Math.sqrt(d)));
}

/**
 * Operator list of a named profile for d numeric columns and n rows.
 * low: rotate over [arccos(min(0.71, 2.7/√d)), π/2] with ρ = 0.5, then PRAM keep 0.8.
 * moderate: rotate over [π/6, π/3] with ρ = 0.5, project k = d/2, PRAM keep 0.8.
 * high: mix with k = 10 (k = 5 below 10,000 rows) and α = 0.5, PRAM keep 0.8.
 */
export function profileOperators(profile: Profile, d: number, n: number): OperatorSpec[] {
  switch (profile) {
    case 'low':
      return [{ op: 'rotate', thetaMin: lowProfileThetaMin(d), thetaMax: Math.PI / 2, rho: 0.5 }, { op: 'pram', keep: 0.8 }];
    case 'moderate':
      return [{ op: 'rotate', thetaMin: Math.PI / 6, thetaMax: Math.PI / 3, rho: 0.5 }, { op: 'project', k: 0.5 }, { op: 'pram', keep: 0.8 }];
    case 'high':
      return [{ op: 'mix', k: n < 10_000 ? 5 : 10, alpha: 0.5 }, { op: 'pram', keep: 0.8 }];
  }
}

/** Parses a --profile value, so that a wrong name fails with the list of profiles. */
export function parseProfile(text: string): Profile {
  if (!(PROFILES as readonly string[]).includes(text)) {
    throw new InputError(`--profile "${text}" is not a profile`, `give one of ${PROFILES.join(', ')}, or an operator list with --ops`);
  }
  return text as Profile;
}

const usage = 'write operators as name(param=value,...), for example "rotate(theta=0.52..1.05,rho=0.5),project(k=0.5)"';

/** Parses a number or a multiple of π: "0.5", "pi/3", "2*pi/3", "0.25pi". */
function parseScalar(text: string, where: string): number {
  const t = text.trim().toLowerCase().replace(/π/g, 'pi');
  const match = /^([0-9.]+)?\s*\*?\s*pi\s*(?:\/\s*([0-9.]+))?$/.exec(t);
  let value: number;
  if (match) value = (match[1] ? Number(match[1]) : 1) * Math.PI / (match[2] ? Number(match[2]) : 1);
  else value = Number(t);
  if (t === '' || !Number.isFinite(value)) throw new InputError(`${where}: "${text}" is not a number`, usage);
  return value;
}

function parseRange(text: string, where: string): [number, number] {
  const parts = text.split('..');
  if (parts.length === 1) {
    const v = parseScalar(parts[0], where);
    return [v, v];
  }
  if (parts.length !== 2) throw new InputError(`${where}: "${text}" is not a range`, 'write a range as low..high, for example 0.52..1.05');
  const lo = parseScalar(parts[0], where);
  const hi = parseScalar(parts[1], where);
  if (lo > hi) throw new InputError(`${where}: range ${text} has low > high`, 'write the range as low..high');
  return [lo, hi];
}

/** Splits "a(x=1,y=2),b(z=3)" at top-level commas. */
function splitStages(text: string, field: string): string[] {
  const stages: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      stages.push(text.slice(start, i));
      start = i + 1;
    }
    if (depth < 0) throw new InputError(`${field}: unbalanced ")" in "${text}"`, usage);
  }
  if (depth !== 0) throw new InputError(`${field}: unbalanced "(" in "${text}"`, usage);
  stages.push(text.slice(start));
  return stages.map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * Parses an operator list into operator specs (defaults filled, values range-checked).
 * `field` names the list in messages: the --ops option, or the browser page's field.
 */
export function parseOperators(text: string, field = '--ops'): OperatorSpec[] {
  const cli = field === '--ops';
  if (text.trim() === '') {
    throw new InputError(`${field} is empty`, `give an operator list, such as "rotate(theta=0.52..1.05,rho=0.5),project(k=0.5)", or ${cli ? 'drop --ops to use a profile' : 'choose Profile instead'}`);
  }
  // Without this check "a;b(x=1)" fails later as a parameter that is not a number.
  if (text.includes(';')) {
    throw new InputError(`${field} "${text}" contains ";", but operators are separated by commas`, `write it as "${text.replace(/;/g, ',')}"${cli ? ' (only --grid separates settings with ";")' : ''}`);
  }
  const specs: OperatorSpec[] = [];
  for (const stage of splitStages(text, field)) {
    const match = /^([a-z_]+)\s*(?:\((.*)\))?$/i.exec(stage);
    if (!match) throw new InputError(`${field}: cannot read "${stage}"`, usage);
    const name = match[1].toLowerCase();
    const params = new Map<string, string>();
    for (const pair of (match[2] ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '')) {
      const eq = pair.indexOf('=');
      if (eq === -1) throw new InputError(`${field}: parameter "${pair}" of ${name} has no value`, usage);
      params.set(pair.slice(0, eq).trim().toLowerCase(), pair.slice(eq + 1).trim());
    }
    const take = (key: string): string | undefined => {
      const value = params.get(key);
      params.delete(key);
      return value;
    };
    const where = (key: string): string => `${field} ${name}(${key})`;
    let spec: OperatorSpec;
    switch (name) {
      case 'rotate': {
        const [thetaMin, thetaMax] = parseRange(take('theta') ?? 'pi/3..pi/2', where('theta'));
        const rho = parseScalar(take('rho') ?? '0.5', where('rho'));
        if (thetaMin < 0 || thetaMax > Math.PI) throw new InputError(`${where('theta')}: angles must lie in [0, π]`, 'give theta in radians, for example 0.52..1.05 or pi/6..pi/3');
        if (rho < 0 || rho > 1) throw new InputError(`${where('rho')}: ${rho} is outside [0, 1]`, 'set rho between 0 (fresh radius) and 1 (radius kept)');
        spec = { op: 'rotate', thetaMin, thetaMax, rho };
        break;
      }
      case 'project': {
        const k = parseScalar(take('k') ?? '0.5', where('k'));
        if (!(k > 0)) throw new InputError(`${where('k')}: ${k} is not positive`, 'give k as a fraction of d below 1 (0.5 keeps half the dimensions) or a whole number of dimensions');
        if (k >= 1 && !Number.isInteger(k)) throw new InputError(`${where('k')}: ${k} is neither a fraction below 1 nor a whole number`, 'give k as a fraction of d below 1 or a whole number of dimensions');
        spec = { op: 'project', k };
        break;
      }
      case 'interpolate': {
        const knn = parseScalar(take('knn') ?? '5', where('knn'));
        const [lambdaMin, lambdaMax] = parseRange(take('lambda') ?? '0.25..0.75', where('lambda'));
        const rho = parseScalar(take('rho') ?? '0.5', where('rho'));
        if (!Number.isInteger(knn) || knn < 1) throw new InputError(`${where('knn')}: ${knn} is not a whole number ≥ 1`, 'set knn to the number of neighbours to choose from, such as 5');
        if (lambdaMin < 0 || lambdaMax > 1) throw new InputError(`${where('lambda')}: must lie in [0, 1]`, 'give lambda as a range inside 0..1, such as 0.25..0.75');
        if (rho < 0 || rho > 1) throw new InputError(`${where('rho')}: ${rho} is outside [0, 1]`, 'set rho between 0 and 1');
        spec = { op: 'interpolate', knn, lambdaMin, lambdaMax, rho };
        break;
      }
      case 'mix': {
        const k = parseScalar(take('k') ?? '10', where('k'));
        const alpha = parseScalar(take('alpha') ?? '0.5', where('alpha'));
        if (!Number.isInteger(k) || k < 2) throw new InputError(`${where('k')}: ${k} is not a whole number ≥ 2`, 'set k, the smallest group size, to 2 or more (10 is the high profile)');
        if (alpha < 0 || alpha > 1) throw new InputError(`${where('alpha')}: ${alpha} is outside [0, 1]`, 'set alpha, the pooled-noise share, between 0 and 1');
        spec = { op: 'mix', k, alpha };
        break;
      }
      case 'pram': {
        const keep = parseScalar(take('keep') ?? '0.8', where('keep'));
        if (keep < 0 || keep > 1) throw new InputError(`${where('keep')}: ${keep} is outside [0, 1]`, 'set keep, the probability that a category stays, between 0 and 1');
        spec = { op: 'pram', keep };
        break;
      }
      default:
        throw new InputError(`${field}: unknown operator "${name}"`, 'use rotate, project, interpolate, mix or pram');
    }
    if (params.size > 0) {
      throw new InputError(`${field}: ${name} has no parameter "${[...params.keys()].join('", "')}"`, usage);
    }
    specs.push(spec);
  }
  if (specs.length === 0) throw new InputError(`${field} is empty`, usage);
  return specs;
}

/** Resolves d-dependent parameters (project's k) and checks what each operator needs. */
export function resolveOperators(specs: readonly OperatorSpec[], d: number): ResolvedOperator[] {
  return specs.map((spec): ResolvedOperator => {
    switch (spec.op) {
      case 'rotate':
        if (d < 2) throw new InputError(`rotate needs at least 2 numeric columns, the frame has ${d}`, 'add numeric columns or use project');
        return spec;
      case 'project': {
        const k = spec.k < 1 ? Math.max(1, Math.round(spec.k * d)) : spec.k;
        if (k >= d) {
          throw new InputError(`project keeps k = ${k} of d = ${d} dimensions, which leaves rows unchanged`, `choose k below ${d}, or a fraction such as 0.5`);
        }
        return { op: 'project', k, kRequested: spec.k };
      }
      default:
        return spec;
    }
  });
}

export function describeOperator(op: ResolvedOperator): string {
  switch (op.op) {
    case 'rotate':
      return `rotate(theta=${op.thetaMin.toFixed(4)}..${op.thetaMax.toFixed(4)},rho=${op.rho})`;
    case 'project':
      return `project(k=${op.k})`;
    case 'interpolate':
      return `interpolate(knn=${op.knn},lambda=${op.lambdaMin}..${op.lambdaMax},rho=${op.rho})`;
    case 'mix':
      return `mix(k=${op.k},alpha=${op.alpha})`;
    case 'pram':
      return `pram(keep=${op.keep})`;
  }
}
