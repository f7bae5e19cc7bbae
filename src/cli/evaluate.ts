import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Engine } from '../engine/engine.js';
import { selectEngine } from '../engine/select.js';
import { InputError } from '../errors.js';
import { parseFrame, type Frame } from '../frame/frame.js';
import { writeFileAtomic } from '../io/atomic_file.js';
import { auditRelease, DEFAULT_CALIBRATION_ROWS, evaluateTable, type EvaluateOptions, type SettingRequest } from '../evaluate/evaluate.js';
import { renderReportHtml } from '../evaluate/report_html.js';
import { DEFAULT_GRID, parseGrid, parseSetting } from '../evaluate/settings.js';
import { DEFAULT_CONTROL_SHARE } from '../evaluate/split.js';
import { privacyUtilityTable } from '../evaluate/summary.js';
import { readJsonFile } from '../node/files.js';
import { csvFileTable } from '../node/jobs.js';
import type { JobContext } from '../pipeline/jobs.js';
import type { RunKeys } from '../pipeline/keys.js';
import type { Profile } from '../pipeline/operators.js';
import type { Schema } from '../schema/schema.js';
import type { CommonOptions } from './main.js';

/** The parts of main.ts that every command shares, passed in so that this file adds a command without moving them. */
export interface CliHelpers {
  addCommon: (command: Command) => Command;
  addOperators: (command: Command) => Command;
  keysFor: (options: CommonOptions, input: string, purpose: string) => Promise<{ keys: RunKeys; key: object }>;
  jobContext: (engine: Engine, options: CommonOptions) => JobContext;
  schemaFor: (input: string, schemaPath: string | undefined, writeTo: string, batchRows: number) => Promise<{ schema: Schema; inferredPath?: string }>;
  writeInferredSchema: (schema: Schema, path: string | undefined) => Promise<void>;
  checkOutput: (path: string, input: string) => void;
  stem: (path: string) => string;
  log: (line: string) => void;
}

interface EvaluateCliOptions extends CommonOptions {
  out: string;
  html?: string;
  schema?: string;
  ops?: string;
  profile?: Profile;
  grid?: string | true;
  controlShare: number;
  attackRows?: number;
  calibrationRows: number;
  categoricalMismatch?: number;
  target?: string;
  release?: string;
  control?: string;
  rowMap?: string;
  frame?: string;
}

function share(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n < 1)) throw new InputError(`--control-share "${value}" is not a share between 0 and 1`, 'give the share of patients (or rows) held back, such as 0.2');
  return n;
}

function nonNegative(value: string): number {
  const n = Number(value);
  if (!(n >= 0) || !Number.isFinite(n)) throw new InputError(`--categorical-mismatch "${value}" is not a number ≥ 0`, 'give the squared distance one categorical mismatch adds, such as 1');
  return n;
}

function count(option: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InputError(`${option} "${value}" is not a whole number ≥ 1`, `give ${option} as a number of rows, such as 10000`);
    return n;
  };
}

/** Reads a --row-map file (output_row,source_row, both 1-based) into 0-based source rows by output row. */
async function readRowMap(path: string): Promise<Int32Array> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InputError('row map file not found', 'give the --row-map file written with the release', { file: path });
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const rows = new Int32Array(Math.max(0, lines.length - 1));
  for (let i = 1; i < lines.length; i++) {
    const [output, source] = lines[i].split(',').map(Number);
    if (output !== i || !Number.isInteger(source) || source < 1) {
      throw new InputError(`row map line ${i + 1} is not "${i},SOURCE_ROW"`, 'give the --row-map file written with the release, unchanged', { file: path, line: i + 1 });
    }
    rows[i - 1] = source - 1;
  }
  return rows;
}

/** Returns the settings to run: --grid, --ops, --profile, or moderate by default. */
function settingsFor(options: EvaluateCliOptions, log: (line: string) => void): SettingRequest[] {
  const chosen = [options.grid !== undefined, options.ops !== undefined, options.profile !== undefined].filter(Boolean).length;
  if (chosen > 1) throw new InputError('more than one of --grid, --ops and --profile was given', 'choose one of them');
  if (options.grid !== undefined) return parseGrid(options.grid === true ? DEFAULT_GRID : options.grid);
  if (options.ops !== undefined) return [parseSetting(options.ops)];
  if (options.profile === undefined) log('no --ops, --profile or --grid given: evaluating --profile moderate');
  return [parseSetting(options.profile ?? 'moderate')];
}

function targetOption(text: string | undefined): EvaluateOptions['target'] {
  if (text === undefined) return undefined;
  const at = text.indexOf('=');
  return at === -1 ? { column: text } : { column: text.slice(0, at), positive: text.slice(at + 1) };
}

/** Finds the operators of an audited release: the options, else its <release>.report.json, else none. */
async function auditSetting(options: EvaluateCliOptions, helpers: CliHelpers): Promise<SettingRequest> {
  if (options.grid !== undefined) throw new InputError('--grid cannot audit an existing release', 'drop --grid, or drop --release and --control to evaluate settings on the input');
  if (options.ops !== undefined || options.profile !== undefined) return settingsFor(options, helpers.log)[0];
  const reportPath = `${helpers.stem(options.release!)}.report.json`;
  if (existsSync(reportPath)) {
    const report = (await readJsonFile(reportPath, 'run report')) as { operators?: unknown };
    if (Array.isArray(report.operators) && report.operators.every((o) => typeof o === 'string')) {
      helpers.log(`operators of the release, from ${reportPath}: ${report.operators.join(', ')}`);
      return report.operators.length > 0 ? { ...parseSetting(report.operators.join(',')), label: options.release! } : { label: options.release!, operators: () => [] };
    }
  }
  helpers.log('the release\'s operators are unknown (no --ops, --profile or run report): the aware attack assumes none and no PRAM');
  return { label: options.release!, operators: () => [] };
}

async function auditFrame(options: EvaluateCliOptions, helpers: CliHelpers): Promise<Frame | undefined> {
  const path = options.frame ?? `${helpers.stem(options.release!)}.frame.json`;
  if (!existsSync(path)) {
    if (options.frame) throw new InputError('frame file not found', 'give the frame written with the release', { file: path });
    helpers.log(`no frame found at ${path}: the aware attack and the frame-only comparison are skipped; pass --frame`);
    return undefined;
  }
  return parseFrame(JSON.stringify(await readJsonFile(path, 'frame')), path);
}

async function runEvaluate(input: string, options: EvaluateCliOptions, helpers: CliHelpers): Promise<void> {
  const { log } = helpers;
  const htmlPath = options.html ?? `${helpers.stem(options.out)}.html`;
  helpers.checkOutput(options.out, input);
  helpers.checkOutput(htmlPath, input);
  const auditing = options.release !== undefined || options.control !== undefined;
  if (auditing && (options.release === undefined || options.control === undefined)) {
    throw new InputError('--release and --control go together', 'give both the release to audit and the control file that was never released');
  }
  if (!auditing && (options.rowMap !== undefined || options.frame !== undefined)) {
    throw new InputError('--row-map and --frame belong to an audit', 'give them with --release and --control, or drop them');
  }
  const settings = auditing ? undefined : settingsFor(options, log);

  const engine = await selectEngine(options.backend, options.batchRows, log);
  try {
    // An audit takes the schema from the release's frame unless --schema names one, so it
    // infers nothing and writes no schema file.
    const frame = auditing ? await auditFrame(options, helpers) : undefined;
    const { schema, inferredPath } =
      frame && options.schema === undefined
        ? { schema: frame.schema, inferredPath: undefined }
        : await helpers.schemaFor(input, options.schema, `${helpers.stem(options.out)}.schema.json`, options.batchRows);
    const { keys } = await helpers.keysFor(options, input, 'evaluate');
    const context = helpers.jobContext(engine, options);
    const evaluateOptions: EvaluateOptions = { controlShare: options.controlShare, attackRows: options.attackRows, calibrationRows: options.calibrationRows, categoricalMismatch: options.categoricalMismatch, target: targetOption(options.target) };

    let report;
    if (auditing) {
      const setting = await auditSetting(options, helpers);
      const d = frame?.columns.length ?? schema.columns.filter((c) => c.role === 'numeric').length;
      report = await auditRelease(
        context,
        {
          input: csvFileTable(input),
          release: csvFileTable(options.release!),
          control: csvFileTable(options.control!),
          sourceRows: options.rowMap ? await readRowMap(options.rowMap) : undefined,
          frame,
          operators: setting.operators({ d, rows: frame?.rows ?? 0 }),
          label: setting.label,
        },
        frame?.schema ?? schema,
        keys,
        evaluateOptions,
      );
    } else {
      report = await evaluateTable(context, csvFileTable(input), schema, keys, settings!, evaluateOptions);
    }

    const html = await renderReportHtml(report);
    await writeFileAtomic(options.out, `${JSON.stringify(report, null, 1)}\n`);
    await writeFileAtomic(htmlPath, html);
    await helpers.writeInferredSchema(schema, inferredPath);
    process.stdout.write(privacyUtilityTable(report));
    log(`evaluated ${report.settings.length} setting(s) in ${report.seconds.toFixed(1)} s; report: ${options.out}, ${htmlPath}`);
  } finally {
    engine.destroy();
  }
}

/** Adds `geomask evaluate` to the program. */
export function addEvaluateCommand(program: Command, helpers: CliHelpers): void {
  const command = program
    .command('evaluate')
    .description('attack a release and measure its utility: split the input into targets (released) and controls (never released), or audit an existing release with --release and --control')
    .argument('<input>', 'CSV file: the data to split, or with --release the data the release was made from')
    .requiredOption('--out <path>', 'report file to write (JSON); the HTML report goes beside it')
    .option('--html <path>', 'HTML report to write (default: <out name>.html)')
    .option('--schema <path>', 'schema file (default: inferred, written to <out name>.schema.json)')
    .option('--grid [settings]', `evaluate several settings separated by ";": profile names, NAME:no-pram, or operator lists (default list: "${DEFAULT_GRID}")`)
    .option('--control-share <share>', 'share of patients (or rows, without a patient column) held back as controls', share, DEFAULT_CONTROL_SHARE)
    .option('--attack-rows <n>', 'run the distance attacks on a keyed sample of this many targets (default: all)', count('--attack-rows'))
    .option('--calibration-rows <n>', 'rows the algorithm-aware attacker simulates to learn its likelihood ratios', count('--calibration-rows'), DEFAULT_CALIBRATION_ROWS)
    .option('--categorical-mismatch <distance>', 'squared distance one categorical mismatch adds in the quasi-identifier space (default: 1/C for C categorical quasi-identifiers)', nonNegative)
    .option('--target <column[=value]>', 'outcome of the logistic regression (train on the release, test on the controls); value: the positive class (default: the rarer of two)')
    .option('--release <path>', 'audit this release (written by transform or apply) instead of making one')
    .option('--control <path>', 'with --release: rows of the same population that were never released')
    .option('--row-map <path>', 'with --release: its --row-map file, which linkage and reconstruction need')
    .option('--frame <path>', 'with --release: its frame (default: <release name>.frame.json when it exists)');
  helpers.addOperators(helpers.addCommon(command)).action((input: string, options: EvaluateCliOptions) => runEvaluate(input, options, helpers));
}
