/**
 * Fills the {{NAME}} slots of a WGSL template. Every slot must get a value and every
 * value must have a slot, so a renamed slot fails loudly instead of compiling stale code.
 */
export function specialize(template: string, values: Record<string, string | number | boolean>): string {
  const used = new Set<string>();
  const code = template.replace(/\{\{([A-Z_]+)\}\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`WGSL template slot {{${name}}} has no value`);
    used.add(name);
    return String(values[name]);
  });
  for (const name of Object.keys(values)) {
    if (!used.has(name)) throw new Error(`WGSL template has no slot {{${name}}}`);
  }
  return code;
}

/** A float32 literal for WGSL: finite, with a decimal point or exponent. */
export function f32Literal(value: number): string {
  const rounded = Math.fround(value);
  if (!Number.isFinite(rounded)) throw new Error(`cannot write ${value} as a WGSL f32 literal`);
  const text = rounded.toPrecision(9);
  return /[.eE]/.test(text) ? text : `${text}.0`;
}

/** `const NAME = array<T, N>(...)` for a list of numbers. */
export function constArray(name: string, type: 'f32' | 'u32', values: ArrayLike<number>): string {
  const items = Array.from(values, (v) => (type === 'f32' ? f32Literal(v) : `${v >>> 0}u`));
  return `const ${name} = array<${type}, ${values.length}>(${items.join(', ')});`;
}
