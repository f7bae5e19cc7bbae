import type { LoadedFrame } from '../frame/frame.js';
import type { ColumnType } from '../io/column_types.js';
import { OTHER } from './pram.js';
import type { ResolvedOperator } from './operators.js';

/**
 * Returns the storage types of the released columns of an Arrow or Parquet input. Each
 * keeps its input type unless the release can contain values that type cannot. Numeric
 * columns stay integers only when the frame writes them with 0 decimals. Pseudonymized
 * identifiers become text, and so does a PRAM column whose marginal merged rare
 * categories into "other". Columns without an input type (CSV) get the writer's default.
 */
export function releaseColumnTypes(frame: LoadedFrame, operators: readonly ResolvedOperator[], inputTypes: ReadonlyMap<string, ColumnType> | undefined): (names: string[]) => (ColumnType | undefined)[] {
  const pram = operators.some((op) => op.op === 'pram');
  return (names) =>
    names.map((name) => {
      const input = inputTypes?.get(name);
      if (!input) return undefined;
      const schema = frame.frame.schema.columns.find((c) => c.name === name);
      const numeric = frame.frame.columns.find((c) => c.name === name);
      if (numeric) {
        if (input.kind === 'int' && numeric.decimals === 0) return input;
        if (input.kind === 'float') return input;
        return { kind: 'float', bits: 64 };
      }
      if (schema?.role === 'identifier') return { kind: 'utf8' };
      const categorical = frame.frame.categorical.find((c) => c.name === name);
      if (pram && categorical?.categories.includes(OTHER)) return { kind: 'utf8' };
      return input;
    });
}
