/**
 * Text columns held in memory as dictionary codes (Uint32 per cell), for the runs that
 * need every row at once (the neighbour operators). A column with few distinct values
 * costs 4 bytes per row.
 */
export class CodedColumn {
  private codes = new Uint32Array(1024);
  private size = 0;
  private readonly values: string[] = [];
  private readonly index = new Map<string, number>();

  push(text: string): void {
    let code = this.index.get(text);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(text);
      this.index.set(text, code);
    }
    if (this.size === this.codes.length) {
      const grown = new Uint32Array(this.codes.length * 2);
      grown.set(this.codes);
      this.codes = grown;
    }
    this.codes[this.size++] = code;
  }

  get length(): number {
    return this.size;
  }

  text(row: number): string {
    return this.values[this.codes[row]];
  }

  code(row: number): number {
    return this.codes[row];
  }
}
