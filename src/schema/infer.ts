import { formatRow } from '../errors.js';
import type { RecordBatch } from '../io/csv_reader.js';
import { isIsoDate } from '../pipeline/dates.js';
import { DEFAULT_MISSING_TOKENS, type ColumnSchema, type Role, type Schema } from './schema.js';

const NUMBER_PATTERN = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/**
 * A column proposed as categorical because some values are not numbers gets a warning
 * when at least this share of its values are numbers, because a few typos then turn a
 * measurement into text. Roles chosen by name (identifiers, sensitive columns such as
 * ICD-9 diagnosis codes, which mix numbers and V codes) get no warning.
 */
const MOSTLY_NUMERIC_SHARE = 0.9;
/** Distinct values tracked per column; beyond this a column counts as "many distinct". */
const DISTINCT_CAP = 2_000_000;

const IDENTIFIER_NAME = /(^|[_\s-])(id|mrn|ssn|nhs|uuid|guid|name|encounter[_\s-]?(id|nbr|no)?|record[_\s-]?id|recordid|visit[_\s-]?id|stay[_\s-]?id)$|^(id|encounter|recordid)$/i;
const PATIENT_NAME = /^(patient|subject|person|member)([_\s-]?(id|nbr|no|number|key))?$|^mrn$/i;
const CODE_NAME = /(type|code|class|category|sex|gender|flag|status|stage|grade|icu|set$)/i;
/** Whole-number columns named like "admission_type_id" are codes, however many values they take. */
const CODED_ID_NAME = /[_\s-]id$/i;
const SENSITIVE_NAME = /(death|mortality|readmit|outcome|^diag|hiv|psych|surviv|died|expire|^num$|disease)/i;
const QUASI_NAME = /(age|sex|gender|race|ethnic|admission|admit|discharge|source|zip|postcode|weight|height|marital|language|insur|payer|icu)/i;

interface ColumnStats {
  name: string;
  present: number;
  numeric: number;
  integer: number;
  dates: number;
  totalLength: number;
  distinct: Set<string> | undefined;
  /** The first present value that is not a number, with its 1-based row and CSV line. */
  firstNonNumber?: { text: string; row: number; line?: number };
}

/** Collects per-column statistics from record batches, then proposes a schema. */
export class SchemaInference {
  private stats: ColumnStats[] = [];
  private rows = 0;
  private readonly missing: Set<string>;

  constructor(missingTokens: readonly string[] = DEFAULT_MISSING_TOKENS) {
    this.missing = new Set(missingTokens);
  }

  add(header: readonly string[], batch: RecordBatch): void {
    if (this.stats.length === 0) {
      this.stats = header.map((name) => ({ name, present: 0, numeric: 0, integer: 0, dates: 0, totalLength: 0, distinct: new Set<string>() }));
    }
    batch.records.forEach((record, r) => {
      for (let c = 0; c < this.stats.length; c++) {
        const text = record[c].trim();
        if (this.missing.has(text)) continue;
        const s = this.stats[c];
        s.present++;
        s.totalLength += text.length;
        if (NUMBER_PATTERN.test(text)) {
          s.numeric++;
          if (Number.isInteger(Number(text))) s.integer++;
        } else {
          s.firstNonNumber ??= { text, row: batch.firstRow + r + 1, line: batch.lines?.[r] };
          if (isIsoDate(text)) s.dates++;
        }
        if (s.distinct) {
          s.distinct.add(text);
          if (s.distinct.size > DISTINCT_CAP) s.distinct = undefined;
        }
      }
    });
    this.rows += batch.records.length;
  }

  /**
   * Returns the proposed schema, one reason per column for the summary, and warnings
   * about columns that are mostly numbers but not all.
   */
  result(): { schema: Schema; reasons: string[]; warnings: string[] } {
    const columns: ColumnSchema[] = [];
    const reasons: string[] = [];
    const warnings: string[] = [];
    let patient: string | undefined;

    for (const s of this.stats) {
      const distinct = s.distinct?.size ?? Infinity;
      const allDistinct = s.present > 0 && distinct === s.present;
      const allNumeric = s.present > 0 && s.numeric === s.present;
      const allInteger = allNumeric && s.integer === s.present;
      let role: Role;
      let reason: string;

      if (PATIENT_NAME.test(s.name) && !allDistinct && patient === undefined) {
        role = 'identifier';
        patient = s.name;
        reason = 'patient column by name (rows share patients)';
      } else if ((IDENTIFIER_NAME.test(s.name) || PATIENT_NAME.test(s.name)) && allDistinct) {
        role = 'identifier';
        reason = 'identifier by name, every value unique';
      } else if (allDistinct && s.present >= 1000 && allInteger && !SENSITIVE_NAME.test(s.name) && /id|nbr|no$|key/i.test(s.name)) {
        role = 'identifier';
        reason = 'unique whole numbers with an id-like name';
      } else if (s.present === 0) {
        role = 'drop';
        reason = 'every cell is missing';
      } else if (s.dates >= 0.95 * s.present) {
        role = 'date';
        reason = 'ISO dates';
      } else if (SENSITIVE_NAME.test(s.name)) {
        role = 'sensitive';
        reason = 'sensitive by name (outcome or diagnosis)';
      } else if (allNumeric && (distinct <= 2 || (allInteger && distinct <= 20 && CODE_NAME.test(s.name)) || (allInteger && distinct <= 1000 && CODED_ID_NAME.test(s.name)))) {
        role = 'categorical';
        reason = distinct <= 2 ? 'numeric with at most 2 values: a flag' : 'whole-number code with a code-like name';
      } else if (allNumeric) {
        role = 'numeric';
        reason = `numbers, ${distinct === Infinity ? 'many' : distinct} distinct`;
      } else if (allDistinct && s.present >= 50 && s.totalLength / s.present > 40) {
        role = 'drop';
        reason = 'long unique texts: free text';
      } else {
        role = 'categorical';
        reason = `text, ${distinct === Infinity ? 'many' : distinct} categories`;
      }

      const bad = s.firstNonNumber;
      if (bad && role === 'categorical' && s.numeric >= MOSTLY_NUMERIC_SHARE * s.present) {
        const where = `"${bad.text}" in ${formatRow(bad.row, bad.line)}`;
        reason += `, but ${s.numeric} of ${s.present} values are numbers: ${where} is not`;
        warnings.push(
          `column "${s.name}": ${s.numeric} of ${s.present} values are numbers, but ${where} is not, so the column is proposed as ${role}. ` +
            `Correct the value or list it in "missing_tokens" if it means missing, then rerun \`geomask schema\` or set the column's role to "numeric" in the schema.`,
        );
      }

      const column: ColumnSchema = { name: s.name, role };
      if (role === 'numeric') column.quasi_identifier = true;
      if (role === 'categorical') column.quasi_identifier = QUASI_NAME.test(s.name);
      if (role === 'identifier') column.pseudonymize = false;
      columns.push(column);
      reasons.push(reason);
    }

    const schema: Schema = { format: 'ehr-geomask-schema', version: 1, missing_tokens: [...this.missing], columns };
    if (patient !== undefined) schema.patient = patient;
    return { schema, reasons, warnings };
  }
}
