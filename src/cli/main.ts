import { Command, CommanderError, Option } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { Engine } from '../engine/engine.js';
import { selectEngine, type BackendChoice } from '../engine/select.js';
import { formatInputError, InputError, OutputClosedError } from '../errors.js';
import { loadFrame, parseFrame, type Frame } from '../frame/frame.js';
import { writeFileAtomic } from '../io/atomic_file.js';
import { readJsonFile } from '../node/files.js';
import { extensionsOf, formatOf, formatOfExtension, openTableFile, TABLE_FORMATS } from '../node/formats.js';
import { applyFile } from '../node/jobs.js';
import { fitTables, inferSchema, type JobContext } from '../pipeline/jobs.js';
import { parseShard } from '../io/shard.js';
import { addScaleCommands, fitPartial } from './scale_commands.js';
import { KEY_WARNING, readOrCreateKey, readSharedKey, type MissingKeyMessage } from '../node/key_file.js';
import { randomSecret } from '../prf/keys.js';
import { RunKeys } from '../pipeline/keys.js';
import { describeOperator, parseOperators, parseProfile, profileOperators, PROFILES, resolveOperators, type OperatorSpec, type Profile } from '../pipeline/operators.js';
import { buildRunReport, operatorWarnings } from '../pipeline/run_report.js';
import { rememberSchemaOrigin, validateSchema, type Schema } from '../schema/schema.js';
import { VERSION } from '../version.js';
import { addEvaluateCommand } from './evaluate.js';
import { Progress } from './progress.js';

export interface CommonOptions {
  backend: BackendChoice;
  batchRows: number;
  keyFile?: string;
  label?: string;
  quiet?: boolean;
  /** Input format (default: by file extension). */
  format?: string;
}

/** Set from --quiet before each command's action runs. */
let quiet = false;

/**
 * Prints a log line on stderr. Lines that start with "warning: " are warnings and are
 * printed even with --quiet, which drops every other line.
 */
export function log(line: string): void {
  if (quiet && !line.startsWith('warning: ')) return;
  process.stderr.write(`geomask: ${line}\n`);
}

/** Parses --first-row: a global row index from 0 to 2^53 − 1, the largest integer a double represents exactly. */
export function parseFirstRow(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0) {
    throw new InputError(`--first-row "${value}" is not a whole number ≥ 0`, 'give the global index of the first row, such as 0 or 2500000');
  }
  if (n > Number.MAX_SAFE_INTEGER) {
    throw new InputError(`--first-row "${value}" is above the largest supported row index (2^53 − 1)`, 'give the global index of the first row, such as 0 or 2500000');
  }
  return n;
}

/**
 * Maximum --batch-rows (2^24). A batch is held in memory several times over (text cells,
 * float64 and float32 copies). On the GPU its stream words, 4 · d · (1 + sweeps) bytes
 * per row, exceed WebGPU's default binding limit of 128 MiB at this size for any frame
 * of three or more columns. parquet-wasm rejects a batch size of 2^32 rows or more.
 */
export const MAX_BATCH_ROWS = 2 ** 24;

export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InputError(`--batch-rows "${value}" is not a whole number ≥ 1`, 'give the number of rows per batch, such as 65536');
  if (n > MAX_BATCH_ROWS) {
    throw new InputError(`--batch-rows ${value} is above the maximum of ${MAX_BATCH_ROWS} rows per batch`, `lower --batch-rows to ${MAX_BATCH_ROWS} or fewer; the default is 65536`);
  }
  return n;
}

/** --format: the input format of commands that read table files. */
export function formatOption(): Option {
  const byExtension = (['parquet', 'arrow', 'arrows'] as const).map((format) => extensionsOf(format).join('/')).join(', ');
  return new Option('--format <name>', `input format (default: by file extension: ${byExtension}, else CSV)`).choices([...TABLE_FORMATS]);
}

export function addFormat(command: Command): Command {
  return command.addOption(formatOption());
}

/** Help of --label for commands that default it to the input file name. */
const LABEL_HELP = 'dataset label mixed into every key (default: the input file name); shards of one input need the same label';

/**
 * Adds the options every masking command takes. `labelHelp` replaces the help of
 * --label for commands that require it.
 */
export function addCommon(command: Command, labelHelp = LABEL_HELP): Command {
  return command
    .addOption(new Option('--backend <name>', 'where the stages run: gpu (WebGPU), cpu (TypeScript reference) or auto').choices(['auto', 'gpu', 'cpu']).default('auto'))
    .option('--batch-rows <n>', `rows per batch, at most ${MAX_BATCH_ROWS}; memory grows with it, the GPU runs faster with more`, positiveInteger, 65536)
    .option('--key-file <path>', 'keep the secret in this file for reproducible runs; a single-machine run creates it if missing, while --shard, stream, merge and fit --partial need the existing key of the run; without it a fresh ephemeral key is used')
    .option('--label <text>', labelHelp)
    .option('--quiet', 'print only warnings and errors on stderr (no progress or log lines)');
}

export function addOperators(command: Command): Command {
  return command
    .option('--ops <list>', 'operator list, such as "rotate(theta=0.52..1.05,rho=0.5),project(k=0.5)"')
    .option('--profile <name>', `named operator profile: ${PROFILES.join(', ')} (default moderate)`, parseProfile);
}

export function stem(path: string): string {
  return join(dirname(path), basename(path, extname(path)));
}

export function checkOutput(path: string, input: string): void {
  const folder = dirname(resolve(path));
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new InputError(`output folder ${folder} does not exist`, 'create the folder or choose another --out path', { file: path });
  }
  if (resolve(path) === resolve(input)) throw new InputError('output path is the input path', 'choose another --out path', { file: path });
}

/**
 * Returns the keys of a run: from --key-file, else a fresh ephemeral key. A missing key
 * file is created unless `shared` is given. `shared` marks the run as one process of
 * several that must use the same key, so a missing file is then an InputError with that
 * message.
 */
export async function keysFor(options: CommonOptions, input: string, purpose: string, shared?: MissingKeyMessage): Promise<{ keys: RunKeys; key: object }> {
  const label = options.label ?? basename(input);
  if (options.keyFile) {
    const { secret, created } = shared ? { secret: await readSharedKey(options.keyFile, shared), created: false } : await readOrCreateKey(options.keyFile);
    log(`${created ? 'created' : 'using'} key file ${options.keyFile}`);
    log(KEY_WARNING);
    return { keys: new RunKeys(secret, label), key: { mode: 'key-file', file: options.keyFile, label } };
  }
  log(`${purpose} uses a fresh ephemeral key (never written anywhere); pass --key-file to make the run reproducible`);
  return { keys: new RunKeys(randomSecret(), label), key: { mode: 'ephemeral', label } };
}

export function jobContext(engine: Engine, options: CommonOptions): JobContext {
  return {
    engine,
    batchRows: options.batchRows,
    log,
    progress: (stage, total, fraction) => {
      const progress = new Progress(stage, () => total, fraction, !options.quiet);
      return (rows, final) => progress.update(rows, final);
    },
  };
}

export async function loadSchemaFile(path: string): Promise<Schema> {
  const schema = validateSchema(await readJsonFile(path, 'schema'), path);
  rememberSchemaOrigin(schema, { file: path, kind: 'schema' });
  return schema;
}

/**
 * The schema given with --schema, or one inferred from the input. An inferred schema is
 * returned with the path it should be written to once the run has succeeded. Raises an
 * InputError when a different schema file already exists at that path.
 */
export async function schemaFor(input: string, schemaPath: string | undefined, writeTo: string, batchRows: number, format?: string): Promise<{ schema: Schema; inferredPath?: string }> {
  if (schemaPath) return { schema: await loadSchemaFile(schemaPath) };
  const { schema, warnings } = await inferSchema(openTableFile(input, formatOf(input, format)), batchRows);
  for (const warning of warnings) log(`warning: ${warning}`);
  await checkInferredSchemaPath(schema, writeTo, input);
  return { schema, inferredPath: writeTo };
}

/**
 * Rejects an existing file at the inferred schema's path unless it contains the same
 * schema, so that a run never replaces a schema edited by hand. A rerun that infers the
 * same schema goes on.
 */
async function checkInferredSchemaPath(schema: Schema, path: string, input: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  let existing: unknown;
  try {
    existing = JSON.parse(text);
  } catch {
    existing = undefined;
  }
  if (JSON.stringify(existing) === JSON.stringify(schema)) return;
  throw new InputError(
    `schema file already exists and differs from the schema inferred from ${input}, so writing the inferred schema would replace it`,
    `pass --schema ${path} to use it, or remove it`,
    { file: path },
  );
}

export async function writeInferredSchema(schema: Schema, path: string | undefined): Promise<void> {
  if (!path) return;
  await writeFileAtomic(path, `${JSON.stringify(schema, null, 2)}\n`);
  log(`no --schema given: inferred one and wrote it to ${path}; edit it and pass --schema to change roles, ranges or decimals`);
}

/** Parses --ops early, so a typo fails before any pass over the data. */
function checkOperatorOptions(options: { ops?: string; profile?: Profile }): void {
  if (options.ops !== undefined && options.profile) throw new InputError('both --ops and --profile were given', 'choose one of them');
  if (options.ops !== undefined) parseOperators(options.ops);
}

export function operatorsFor(options: { ops?: string; profile?: Profile }, frame: Frame): { specs: OperatorSpec[]; profile?: Profile } {
  checkOperatorOptions(options);
  if (options.ops !== undefined) return { specs: parseOperators(options.ops) };
  const profile = options.profile ?? 'moderate';
  if (!options.profile) log('no --ops or --profile given: using --profile moderate');
  return { specs: profileOperators(profile, frame.columns.length, frame.rows), profile };
}

export function warnAboutOperators(specs: readonly OperatorSpec[]): string[] {
  const warnings = operatorWarnings(specs);
  for (const w of warnings) log(`warning: ${w}`);
  return warnings;
}

const ROW_MAP_HELP =
  'also write which input row each output row came from, as a CSV of output_row and source_row, both counted from 1 (source_row s is the row with global index s − 1); this file re-links the release, keep it with the key';

const SHARD_KEY_MISSING: MissingKeyMessage = {
  problem: 'key file not found: every shard of a sharded apply must use the key file that the other shards use, so apply --shard does not create one',
  fix: 'copy the key file of the run (the one the frame was fitted with) to this machine and pass its path with --key-file',
};

async function runTransformOrApply(
  command: 'transform' | 'apply',
  input: string,
  options: CommonOptions & { out: string; ops?: string; profile?: Profile; frame?: string; schema?: string; rowMap?: string; outFormat?: string; shard?: string },
): Promise<void> {
  const started = performance.now();
  checkOutput(options.out, input);
  if (options.rowMap) checkOutput(options.rowMap, input);
  checkOperatorOptions(options);
  const shard = options.shard === undefined ? undefined : parseShard(options.shard);
  const inputFormat = formatOf(input, options.format);
  const outputFormat = formatOf(options.out, options.outFormat);
  const outExtension = extname(options.out);
  if (options.outFormat === undefined && outExtension !== '' && formatOfExtension(options.out) === undefined) {
    log(`warning: --out ${options.out}: the extension "${outExtension}" names no table format, so the release is written as CSV. Name the file .csv, or choose the format with --out-format`);
  }
  const extensionFormat = formatOfExtension(options.out);
  if (options.outFormat !== undefined && extensionFormat !== undefined && extensionFormat !== outputFormat) {
    log(
      `warning: --out ${options.out}: the extension "${outExtension}" names the ${extensionFormat} format, but --out-format writes the release as ${outputFormat}. Name the file ${extensionsOf(outputFormat)[0]}, or drop --out-format`,
    );
  }
  const engine = await selectEngine(options.backend, options.batchRows, log);
  try {
    // The schema comes first, so that a rejected schema leaves no new key file behind.
    const inferred = command === 'transform' ? await schemaFor(input, options.schema, `${stem(options.out)}.schema.json`, options.batchRows, inputFormat) : undefined;
    const { keys, key } = await keysFor(options, input, command, shard ? SHARD_KEY_MISSING : undefined);
    const context = jobContext(engine, options);
    let frame: Frame;
    let fitSeconds = 0;
    let frameOut: string | undefined;
    if (!inferred) {
      frame = parseFrame(JSON.stringify(await readJsonFile(options.frame!, 'frame')), options.frame!);
    } else {
      const fit = await fitTables(context, [openTableFile(input, inputFormat)], inferred.schema, keys);
      frame = fit.frame;
      fitSeconds = fit.seconds;
      frameOut = `${stem(options.out)}.frame.json`;
    }

    const { specs, profile } = operatorsFor(options, frame);
    const warnings = warnAboutOperators(specs);
    const operators = resolveOperators(specs, frame.columns.length);
    log(`operators: ${operators.map(describeOperator).join(', ')}`);
    const files = { input, output: options.out, inputFormat, outputFormat, rowMap: options.rowMap, shard, totalRows: command === 'transform' && !shard ? frame.rows : undefined };
    const summary = await applyFile(context, files, loadFrame(frame), operators, keys);
    // The frame and an inferred schema are written only once the release exists, so a
    // failed run leaves nothing behind.
    if (frameOut) {
      await writeFileAtomic(frameOut, `${JSON.stringify(frame)}\n`);
      log(`frame written to ${frameOut} (aggregates only, no input row)`);
    }
    if (inferred) await writeInferredSchema(inferred.schema, inferred.inferredPath);
    const seconds = (performance.now() - started) / 1000;

    const reportPath = `${stem(options.out)}.report.json`;
    const report = buildRunReport({
      command,
      input,
      output: options.out,
      frameFile: frameOut ?? options.frame,
      rowMap: options.rowMap,
      key,
      engine,
      batchRows: options.batchRows,
      formats: { input: inputFormat, output: outputFormat },
      shard: shard ? `${shard.index}/${shard.count}` : undefined,
      profile,
      operators,
      summary,
      fitSeconds,
      totalSeconds: seconds,
      frame,
      warnings,
    });
    await writeFileAtomic(reportPath, `${JSON.stringify(report, null, 2)}\n`);
    log(`wrote ${summary.rows} rows to ${options.out} in ${seconds.toFixed(1)} s (${Math.round(summary.rows / summary.seconds)} rows/s in apply); report: ${reportPath}`);
  } finally {
    engine.destroy();
  }
}

export function buildProgram(): Command {
  const program = new Command('geomask')
    .description('Keyed geometric masking of structured clinical records (rotate, project) with a Gaussian-copula frame')
    .version(VERSION)
    .exitOverride()
    // main() prints Commander's usage errors in the format of every other error.
    .configureOutput({ outputError: () => {} })
    .hook('preAction', (_program, action) => {
      quiet = action.opts().quiet === true;
    });

  program
    .command('schema')
    .description('infer a schema (column roles) from a table and write it as editable JSON')
    .argument('<input>', 'table file: CSV with a header line, Parquet or Arrow IPC')
    .option('--out <path>', 'schema file to write (default: <input name>.schema.json in the current folder)')
    .option('--batch-rows <n>', `rows read per batch, at most ${MAX_BATCH_ROWS}`, positiveInteger, 65536)
    .addOption(formatOption())
    .action(async (input: string, options: { out?: string; batchRows: number; format?: string }) => {
      const out = options.out ?? `${basename(input, extname(input))}.schema.json`;
      checkOutput(out, input);
      const { schema, reasons, warnings } = await inferSchema(openTableFile(input, formatOf(input, options.format)), options.batchRows);
      await writeFileAtomic(out, `${JSON.stringify(schema, null, 2)}\n`);
      const width = Math.max(...schema.columns.map((c) => c.name.length));
      for (let i = 0; i < schema.columns.length; i++) {
        const c = schema.columns[i];
        process.stderr.write(`  ${c.name.padEnd(width)}  ${c.role.padEnd(11)}  ${reasons[i]}${c.quasi_identifier ? ', quasi-identifier' : ''}\n`);
      }
      if (schema.patient) log(`patient column: ${schema.patient}`);
      for (const warning of warnings) log(`warning: ${warning}`);
      log(`wrote ${out}; edit roles, units, valid ranges (min, max) and decimals, then pass it with --schema`);
    });

  const fitCommand = addCommon(
    program
      .command('fit')
      .description('fit the frame (marginals and latent correlation; aggregates only) and write it as JSON; several inputs are consecutive parts of one table')
      .argument('<inputs...>', 'table files (CSV, Parquet or Arrow IPC), in the order of their rows')
      .option('--out <path>', 'frame file to write')
      .option('--schema <path>', 'schema file (default: inferred from the first input, written to <out>.schema.json)')
      .option('--partial <path>', 'write the accumulated statistics of these inputs to this file instead of a frame, for `geomask merge` (needs --key-file, --label and --schema)')
      .option('--first-row <n>', 'global index of the first row of the inputs in the whole table (with --partial; default 0)', parseFirstRow),
    'dataset label mixed into every key (default: the first input file name; required with --partial, where every part and the merge need the same label)',
  );
  addFormat(fitCommand).action(async (inputs: string[], options: CommonOptions & { out?: string; schema?: string; partial?: string; firstRow?: number }) => {
    if (options.partial) {
      if (options.out !== undefined) {
        throw new InputError('fit --partial writes a partial fit, not a frame, so it has no use for --out', 'drop --out, and write the frame from all parts with `geomask merge PARTS --out frame.json`');
      }
      return fitPartial(inputs, { ...options, partial: options.partial, firstRow: options.firstRow ?? 0 });
    }
    if (options.firstRow !== undefined) {
      throw new InputError('--first-row applies only with --partial: a plain fit numbers the rows of its inputs from 0', 'drop --first-row, or add --partial to write a partial fit for `geomask merge`');
    }
    if (!options.out) throw new InputError('fit needs --out (the frame file) or --partial (a partial fit file)', 'add --out frame.json');
    const input = inputs[0];
    for (const path of inputs) checkOutput(options.out, path);
    const engine = await selectEngine(options.backend, options.batchRows, log);
    try {
      const { schema, inferredPath } = await schemaFor(input, options.schema, `${stem(options.out)}.schema.json`, options.batchRows, options.format);
      const { keys } = await keysFor(options, input, 'fit');
      const tables = inputs.map((path) => openTableFile(path, formatOf(path, options.format)));
      const { frame, rows, seconds } = await fitTables(jobContext(engine, options), tables, schema, keys);
      await writeFileAtomic(options.out, `${JSON.stringify(frame)}\n`);
      await writeInferredSchema(schema, inferredPath);
      log(`fitted ${frame.columns.length} numeric columns on ${rows} rows in ${seconds.toFixed(1)} s; frame written to ${options.out}`);
    } finally {
      engine.destroy();
    }
  });

  addOperators(
    addCommon(
      program
        .command('apply')
        .description('transform a table with a fitted frame')
        .argument('<input>', 'table file (CSV, Parquet or Arrow IPC) with the frame\'s columns')
        .requiredOption('--frame <path>', 'frame file written by `geomask fit`')
        .requiredOption('--out <path>', 'release file to write, in the format its extension names (a report is written beside it)')
        .addOption(new Option('--out-format <name>', 'release format (default: by file extension)').choices([...TABLE_FORMATS]))
        .addOption(formatOption())
        .option('--shard <i/n>', 'transform only the rows whose index in the input mod n equals i (shards are numbered from 0, so i is 0 to n − 1); the union of the n shard releases is the whole release')
        .option('--row-map <path>', ROW_MAP_HELP),
    ),
  ).action((input: string, options) => runTransformOrApply('apply', input, options));

  addOperators(
    addCommon(
      program
        .command('transform')
        .description('fit the frame on a table, then apply the operators to it (two passes over the file)')
        .argument('<input>', 'table file (CSV, Parquet or Arrow IPC)')
        .requiredOption('--out <path>', 'release file to write, in the format its extension names (the frame and a report are written beside it)')
        .addOption(new Option('--out-format <name>', 'release format (default: by file extension)').choices([...TABLE_FORMATS]))
        .addOption(formatOption())
        .option('--schema <path>', 'schema file (default: inferred, written to <out>.schema.json)')
        .option('--row-map <path>', ROW_MAP_HELP),
    ),
  ).action((input: string, options) => runTransformOrApply('transform', input, options));

  addScaleCommands(program);
  addEvaluateCommand(program, { addCommon, addOperators, keysFor, jobContext, schemaFor, writeInferredSchema, checkOutput, stem, log });
  return program;
}

/** Formats a Commander usage error (unknown option, invalid choice, missing argument) with a fix line. */
function usageErrorText(program: Command, argv: string[], error: CommanderError): string {
  const problem = error.message.replace(/^error: /, '');
  const command = program.commands.find((c) => c.name() === argv[0]);
  const fix = command ? `run \`geomask ${command.name()} --help\` for its arguments and options` : 'run `geomask --help` for the commands';
  return `error: ${formatInputError(problem, fix, {})}`;
}

/**
 * Runs the CLI; returns the exit status: 0 done, 2 bad input or usage, 1 internal
 * failure, 141 when the reader of standard output closed it early.
 */
export async function main(argv: string[]): Promise<number> {
  quiet = false;
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) return 0;
      // Without a command Commander has printed the help, which lists the commands.
      if (error.code !== 'commander.help') process.stderr.write(`geomask: ${usageErrorText(program, argv, error)}\n`);
      return 2;
    }
    if (error instanceof InputError) {
      process.stderr.write(`geomask: error: ${error.message}\n`);
      return 2;
    }
    if (error instanceof OutputClosedError) {
      log(`stopped early: ${error.message}`);
      return error.exitCode;
    }
    process.stderr.write(`geomask: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.stderr.write('geomask: this is a bug or an environment problem; please report it with the command line and this message\n');
    return 1;
  }
}
