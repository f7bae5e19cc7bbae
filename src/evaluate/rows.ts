/** Codes of the texts of one column, shared by the input, the controls and the release. */
export class Dictionary {
  readonly values: string[] = [];
  private readonly codes = new Map<string, number>();

  code(text: string): number {
    let code = this.codes.get(text);
    if (code === undefined) {
      code = this.values.length;
      this.codes.set(text, code);
      this.values.push(text);
    }
    return code;
  }

  /** Returns the code of a text already seen, or -1. */
  find(text: string): number {
    return this.codes.get(text) ?? -1;
  }

  get size(): number {
    return this.values.length;
  }
}

/**
 * Rows held by the evaluator: numeric values row-major (row i, column j at i·d + j,
 * NaN where missing), a code per kept text column, and the patient's code.
 */
export interface EvalRows {
  count: number;
  d: number;
  numeric: Float64Array;
  text: Int32Array[];
  patient?: Int32Array;
}

/** Grows EvalRows one row at a time. */
export class RowsBuilder {
  private numeric: Float64Array;
  private text: Int32Array[];
  private patient: Int32Array | undefined;
  private count = 0;
  private capacity = 1024;

  constructor(
    readonly d: number,
    readonly textColumns: number,
    withPatient: boolean,
  ) {
    this.numeric = new Float64Array(this.capacity * d);
    this.text = Array.from({ length: textColumns }, () => new Int32Array(this.capacity));
    this.patient = withPatient ? new Int32Array(this.capacity) : undefined;
  }

  /** Appends a row; returns its index. */
  add(numeric: (j: number) => number, text: (k: number) => number, patient?: number): number {
    if (this.count === this.capacity) this.grow();
    const i = this.count++;
    for (let j = 0; j < this.d; j++) this.numeric[i * this.d + j] = numeric(j);
    for (let k = 0; k < this.textColumns; k++) this.text[k][i] = text(k);
    if (this.patient) this.patient[i] = patient ?? -1;
    return i;
  }

  get rows(): number {
    return this.count;
  }

  build(): EvalRows {
    const n = this.count;
    return {
      count: n,
      d: this.d,
      numeric: this.numeric.slice(0, n * this.d),
      text: this.text.map((t) => t.slice(0, n)),
      patient: this.patient?.slice(0, n),
    };
  }

  private grow(): void {
    this.capacity *= 2;
    const numeric = new Float64Array(this.capacity * this.d);
    numeric.set(this.numeric);
    this.numeric = numeric;
    this.text = this.text.map((t) => {
      const grown = new Int32Array(this.capacity);
      grown.set(t);
      return grown;
    });
    if (this.patient) {
      const grown = new Int32Array(this.capacity);
      grown.set(this.patient);
      this.patient = grown;
    }
  }
}

/** Rows `indices` of a set, in that order. */
export function selectRows(rows: EvalRows, indices: ArrayLike<number>): EvalRows {
  const n = indices.length;
  const d = rows.d;
  const numeric = new Float64Array(n * d);
  const text = rows.text.map(() => new Int32Array(n));
  const patient = rows.patient ? new Int32Array(n) : undefined;
  for (let i = 0; i < n; i++) {
    const source = indices[i];
    numeric.set(rows.numeric.subarray(source * d, source * d + d), i * d);
    for (let k = 0; k < text.length; k++) text[k][i] = rows.text[k][source];
    if (patient) patient[i] = rows.patient![source];
  }
  return { count: n, d, numeric, text, patient };
}

/** Values of numeric column j, NaN where missing. */
export function numericColumn(rows: EvalRows, j: number): Float64Array {
  const out = new Float64Array(rows.count);
  for (let i = 0; i < rows.count; i++) out[i] = rows.numeric[i * rows.d + j];
  return out;
}
