import { ROLES, type ColumnSchema, type Role, type Schema } from '../../schema/schema.js';
import { element } from './dom.js';

/** The editable fields of one schema row, bound to its inputs. */
interface RowInputs {
  column: ColumnSchema;
  role: HTMLSelectElement;
  unit: HTMLInputElement;
  min: HTMLInputElement;
  max: HTMLInputElement;
  decimals: HTMLInputElement;
  quasiIdentifier: HTMLInputElement;
}

const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Reads the number typed into a cell: undefined when empty, NaN when it is not a number. */
function readNumber(input: HTMLInputElement): number | undefined {
  const text = input.value.trim();
  if (text === '') return undefined;
  return NUMBER_TEXT.test(text) ? Number(text) : NaN;
}

function numberText(value: number | undefined): string {
  return value === undefined ? '' : String(value);
}

/**
 * The schema as an editable table: one row per input column with its role, unit,
 * valid range, decimals and quasi-identifier flag. Fields the table does not show
 * (sentinels, pseudonymize, bands, date shifts) are kept as loaded.
 */
export class SchemaEditor {
  private base: Schema | undefined;
  private rows: RowInputs[] = [];

  constructor(
    private readonly body: HTMLTableSectionElement,
    private readonly scroller: HTMLElement,
  ) {}

  show(schema: Schema, reasons: readonly string[]): void {
    this.base = schema;
    this.rows = schema.columns.map((column, i) => this.makeRow({ ...column }, reasons[i] ?? ''));
    this.body.replaceChildren(...this.rows.map((row, i) => this.rowElement(row, reasons[i] ?? '')));
    this.scroller.scrollTo({ top: 0, left: 0 });
  }

  /**
   * Returns the edited schema. A field whose cell still shows the loaded value keeps the loaded
   * field as it was (absent stays absent). Cells that hold no number are listed as
   * problems and left out.
   */
  current(): { schema: Schema; problems: string[] } {
    if (!this.base) throw new Error('no schema is shown');
    const problems: string[] = [];
    const columns = this.rows.map((row) => {
      const original = row.column;
      const column: ColumnSchema = { ...original, role: row.role.value as Role };
      const unit = row.unit.value.trim();
      if (unit !== (original.unit ?? '')) {
        if (unit === '') delete column.unit;
        else column.unit = unit;
      }
      for (const key of ['min', 'max', 'decimals'] as const) {
        if (row[key].value.trim() === numberText(original[key])) continue;
        const value = readNumber(row[key]);
        if (Number.isNaN(value)) problems.push(`column "${original.name}": ${key} "${row[key].value}" is not a number`);
        else if (value === undefined) delete column[key];
        else column[key] = value;
      }
      const flagged = row.quasiIdentifier.checked;
      if (flagged !== (original.quasi_identifier === true)) column.quasi_identifier = flagged;
      return column;
    });
    return { schema: { ...this.base, columns }, problems };
  }

  private makeRow(column: ColumnSchema, reason: string): RowInputs {
    const label = (field: string): string => `${field} of ${column.name}`;
    const role = element('select', { 'aria-label': label('role'), title: reason });
    for (const name of ROLES) role.append(element('option', { value: name, selected: name === column.role }, name));
    const numberInput = (field: string, value: number | undefined, extra: Record<string, string> = {}): HTMLInputElement =>
      element('input', { type: 'text', inputmode: 'decimal', 'aria-label': label(field), value: numberText(value), spellcheck: 'false', ...extra });
    const row: RowInputs = {
      column,
      role,
      unit: element('input', { type: 'text', 'aria-label': label('unit'), value: column.unit ?? '', spellcheck: 'false' }),
      min: numberInput('valid minimum', column.min),
      max: numberInput('valid maximum', column.max),
      decimals: numberInput('decimals', column.decimals, { inputmode: 'numeric' }),
      quasiIdentifier: element('input', { type: 'checkbox', 'aria-label': label('quasi-identifier flag'), checked: column.quasi_identifier === true }),
    };
    role.addEventListener('change', () => this.refresh(row));
    for (const input of [row.min, row.max, row.decimals]) input.addEventListener('input', () => this.refresh(row));
    this.refresh(row);
    return row;
  }

  private rowElement(row: RowInputs, reason: string): HTMLTableRowElement {
    const cell = (node: Node): HTMLTableCellElement => element('td', {}, node);
    return element(
      'tr',
      {},
      element('th', { scope: 'row' }, row.column.name),
      cell(row.role),
      cell(row.unit),
      cell(row.min),
      cell(row.max),
      cell(row.decimals),
      cell(row.quasiIdentifier),
      element('td', { class: 'reason' }, reason),
    );
  }

  /** Enables the cells that matter for the role and marks cells that are not valid. */
  private refresh(row: RowInputs): void {
    const role = row.role.value as Role;
    const numeric = role === 'numeric';
    for (const input of [row.unit, row.min, row.max, row.decimals]) input.disabled = !numeric;
    row.quasiIdentifier.disabled = !(numeric || role === 'categorical');

    const min = readNumber(row.min);
    const max = readNumber(row.max);
    const decimals = readNumber(row.decimals);
    const rangeInverted = min !== undefined && max !== undefined && min > max;
    const decimalsInvalid = decimals !== undefined && !(Number.isInteger(decimals) && decimals >= 0 && decimals <= 12);
    mark(row.min, Number.isNaN(min) || rangeInverted, rangeInverted ? 'min is above max' : 'not a number');
    mark(row.max, Number.isNaN(max) || rangeInverted, rangeInverted ? 'max is below min' : 'not a number');
    mark(row.decimals, decimalsInvalid, 'a whole number from 0 to 12');
  }
}

function mark(input: HTMLInputElement, invalid: boolean, message: string): void {
  if (invalid) {
    input.setAttribute('aria-invalid', 'true');
    input.title = message;
  } else {
    input.removeAttribute('aria-invalid');
    input.removeAttribute('title');
  }
}
