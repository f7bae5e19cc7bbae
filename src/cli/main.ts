import { Command, CommanderError, Option } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { Engine } from '../engine/engine.js';
import { selectEngine, type BackendChoice } from '../engine/select.js';
import { InputError } from '../errors.js';
import { loadFrame, parseFrame, type Frame } from '../frame/frame.js';
import { writeFileAtomic } from '../io/atomic_file.js';
import { readJsonFile } from '../node/files.js';
import { applyCsvFile, csvFileTable } from '../node/jobs.js';
import { fitTable, inferSchema, type JobContext } from '../pipeline/jobs.js';
import { KEY_WARNING, readOrCreateKey } from '../node/key_file.js';
import { randomSecret } from '../prf/keys.js';
import { RunKeys } from '../pipeline/keys.js';
import { describeOperator, parseOperators, profileOperators, PROFILES, resolveOperators, type OperatorSpec, type Profile } from '../pipeline/operators.js';
import { frameSummary } from '../pipeline/report.js';
import { validateSchema, type Schema } from '../schema/schema.js';
import { addEvaluateCommand } from './evaluate.js';
import { Progress } from './progress.js';

const VERSION = '0.1.0';

export interface CommonOptions {
  backend: BackendChoice;
  batchRows: number;
  keyFile?: string;
  label?: string;
  quiet?: boolean;
}

function log(line: string): void {
  process.stderr.write(`geomask: ${line}\n`);
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InputError(`--batch-rows "${value}" is not a whole number ≥ 1`, 'give the number of rows per batch, such as 65536');
  return n;
}

function addCommon(command: Command): Command {
  return command
    .addOption(new Option('--backend <name>', 'where the stages run: gpu (WebGPU), cpu (TypeScript reference) or auto').choices(['auto', 'gpu', 'cpu']).default('auto'))
    .option('--batch-rows <n>', 'rows per batch; memory grows with it, the GPU runs faster with more', positiveInteger, 65536)
    .option('--key-file <path>', 'keep the secret in this file (created if missing) for reproducible runs; without it a fresh ephemeral key is used')
    .option('--label <text>', 'dataset label mixed into every key (default: the input file name); shards of one input need the same label')
    .option('--quiet', 'no progress lines on stderr');
}

function addOperators(command: Command): Command {
  return command
    .option('--ops <list>', 'operator list, such as "rotate(theta=0.52..1.05,rho=0.5),project(k=0.5)"')
    .addOption(new Option('--profile <name>', 'named operator profile (default moderate)').choices([...PROFILES]));
}

function stem(path: string): string {
  return join(dirname(path), basename(path, extname(path)));
}

function checkOutput(path: string, input: string): void {
  const folder = dirname(resolve(path));
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new InputError(`output folder ${folder} does not exist`, 'create the folder or choose another --out path', { file: path });
  }
  if (resolve(path) === resolve(input)) throw new InputError('output path is the input path', 'choose another --out path', { file: path });
}

async function keysFor(options: CommonOptions, input: string, purpose: string): Promise<{ keys: RunKeys; key: object }> {
  const label = options.label ?? basename(input);
  if (options.keyFile) {
    const { secret, created } = await readOrCreateKey(options.keyFile);
    log(`${created ? 'created' : 'using'} key file ${options.keyFile}`);
    log(KEY_WARNING);
    return { keys: new RunKeys(secret, label), key: { mode: 'key-file', file: options.keyFile, label } };
  }
  log(`${purpose} uses a fresh ephemeral key (never written anywhere); pass --key-file to make the run reproducible`);
  return { keys: new RunKeys(randomSecret(), label), key: { mode: 'ephemeral', label } };
}

function jobContext(engine: Engine, options: CommonOptions): JobContext {
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

async function loadSchemaFile(path: string): Promise<Schema> {
  return validateSchema(await readJsonFile(path, 'schema'), path);
}

/**
 * The schema given with --schema, or one inferred from the input. An inferred schema is
 * returned with the path it should be written to once the run has succeeded.
 */
async function schemaFor(input: string, schemaPath: string | undefined, writeTo: string, batchRows: number): Promise<{ schema: Schema; inferredPath?: string }> {
  if (schemaPath) return { schema: await loadSchemaFile(schemaPath) };
  const { schema } = await inferSchema(csvFileTable(input), batchRows);
  return { schema, inferredPath: writeTo };
}

async function writeInferredSchema(schema: Schema, path: string | undefined): Promise<void> {
  if (!path) return;
  await writeFileAtomic(path, `${JSON.stringify(schema, null, 2)}\n`);
  log(`no --schema given: inferred one and wrote it to ${path}; edit it and pass --schema to change roles, ranges or decimals`);
}

/** Parses --ops early, so a typo fails before any pass over the data. */
function checkOperatorOptions(options: { ops?: string; profile?: Profile }): void {
  if (options.ops && options.profile) throw new InputError('both --ops and --profile were given', 'choose one of them');
  if (options.ops) parseOperators(options.ops);
}

function operatorsFor(options: { ops?: string; profile?: Profile }, frame: Frame): { specs: OperatorSpec[]; profile?: Profile } {
  checkOperatorOptions(options);
  if (options.ops) return { specs: parseOperators(options.ops) };
  const profile = options.profile ?? 'moderate';
  if (!options.profile) log('no --ops or --profile given: using --profile moderate');
  return { specs: profileOperators(profile, frame.columns.length, frame.rows), profile };
}

function warnAboutOperators(specs: readonly OperatorSpec[]): string[] {
  const warnings: string[] = [];
  const ops = new Set(specs.map((s) => s.op));
  if (ops.has('interpolate') && !ops.has('rotate') && !ops.has('project') && !ops.has('mix')) {
    warnings.push('interpolate alone is not private: each output lies between two real patients and linkage succeeded for 19-74% of rows in reference runs; compose it after rotate or project');
  }
  for (const w of warnings) log(`warning: ${w}`);
  return warnings;
}

async function runTransformOrApply(
  command: 'transform' | 'apply',
  input: string,
  options: CommonOptions & { out: string; ops?: string; profile?: Profile; frame?: string; schema?: string; rowMap?: string },
): Promise<void> {
  const started = performance.now();
  checkOutput(options.out, input);
  if (options.rowMap) checkOutput(options.rowMap, input);
  checkOperatorOptions(options);
  const engine = await selectEngine(options.backend, options.batchRows, log);
  try {
    const { keys, key } = await keysFor(options, input, command);
    const context = jobContext(engine, options);
    let frame: Frame;
    let fitSeconds = 0;
    let frameOut: string | undefined;
    let inferred: { schema: Schema; inferredPath?: string } | undefined;
    if (command === 'apply') {
      frame = parseFrame(JSON.stringify(await readJsonFile(options.frame!, 'frame')), options.frame!);
    } else {
      inferred = await schemaFor(input, options.schema, `${stem(options.out)}.schema.json`, options.batchRows);
      const fit = await fitTable(context, csvFileTable(input), inferred.schema, keys);
      frame = fit.frame;
      fitSeconds = fit.seconds;
      frameOut = `${stem(options.out)}.frame.json`;
    }

    const { specs, profile } = operatorsFor(options, frame);
    const warnings = warnAboutOperators(specs);
    const operators = resolveOperators(specs, frame.columns.length);
    log(`operators: ${operators.map(describeOperator).join(', ')}`);
    const summary = await applyCsvFile(context, { input, output: options.out, rowMap: options.rowMap, totalRows: command === 'transform' ? frame.rows : undefined }, loadFrame(frame), operators, keys);
    // The frame and an inferred schema are written only once the release exists, so a
    // failed run leaves nothing behind.
    if (frameOut) {
      await writeFileAtomic(frameOut, `${JSON.stringify(frame)}\n`);
      log(`frame written to ${frameOut} (aggregates only, no input row)`);
    }
    if (inferred) await writeInferredSchema(inferred.schema, inferred.inferredPath);
    const seconds = (performance.now() - started) / 1000;

    const reportPath = `${stem(options.out)}.report.json`;
    const report = {
      tool: 'ehr-geomask',
      version: VERSION,
      command,
      finishedAt: new Date().toISOString(),
      input,
      output: options.out,
      frame: frameOut ?? options.frame,
      rowMap: options.rowMap,
      key,
      backend: { kind: engine.kind, device: engine.device, batchRows: options.batchRows },
      profile,
      operators: operators.map(describeOperator),
      rows: summary.rows,
      batches: summary.batches,
      seconds: { fit: Number(fitSeconds.toFixed(3)), apply: Number(summary.seconds.toFixed(3)), total: Number(seconds.toFixed(3)) },
      rowsPerSecond: Math.round(summary.rows / summary.seconds),
      coincidences: summary.coincidences,
      stageMilliseconds: Object.fromEntries(Object.entries(summary.times).map(([k, v]) => [k, Math.round(v)])),
      frameSummary: frameSummary(frame),
      warnings,
    };
    await writeFileAtomic(reportPath, `${JSON.stringify(report, null, 2)}\n`);
    log(`wrote ${summary.rows} rows to ${options.out} in ${seconds.toFixed(1)} s (${report.rowsPerSecond} rows/s in apply); report: ${reportPath}`);
  } finally {
    engine.destroy();
  }
}

export function buildProgram(): Command {
  const program = new Command('geomask')
    .description('Keyed geometric masking of structured clinical records (rotate, project) with a Gaussian-copula frame')
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride();

  program
    .command('schema')
    .description('infer a schema (column roles) from a CSV and write it as editable JSON')
    .argument('<input>', 'CSV file with a header line')
    .option('--out <path>', 'schema file to write (default: <input name>.schema.json in the current folder)')
    .option('--batch-rows <n>', 'rows read per batch', positiveInteger, 65536)
    .action(async (input: string, options: { out?: string; batchRows: number }) => {
      const out = options.out ?? `${basename(input, extname(input))}.schema.json`;
      checkOutput(out, input);
      const { schema, reasons } = await inferSchema(csvFileTable(input), options.batchRows);
      await writeFileAtomic(out, `${JSON.stringify(schema, null, 2)}\n`);
      const width = Math.max(...schema.columns.map((c) => c.name.length));
      for (let i = 0; i < schema.columns.length; i++) {
        const c = schema.columns[i];
        process.stderr.write(`  ${c.name.padEnd(width)}  ${c.role.padEnd(11)}  ${reasons[i]}${c.quasi_identifier ? ', quasi-identifier' : ''}\n`);
      }
      if (schema.patient) log(`patient column: ${schema.patient}`);
      log(`wrote ${out}; edit roles, units, valid ranges (min, max) and decimals, then pass it with --schema`);
    });

  addCommon(
    program
      .command('fit')
      .description('fit the frame (marginals and latent correlation; aggregates only) and write it as JSON')
      .argument('<input>', 'CSV file')
      .requiredOption('--out <path>', 'frame file to write')
      .option('--schema <path>', 'schema file (default: inferred, written to <out>.schema.json)'),
  ).action(async (input: string, options: CommonOptions & { out: string; schema?: string }) => {
    checkOutput(options.out, input);
    const engine = await selectEngine(options.backend, options.batchRows, log);
    try {
      const { keys } = await keysFor(options, input, 'fit');
      const { schema, inferredPath } = await schemaFor(input, options.schema, `${stem(options.out)}.schema.json`, options.batchRows);
      const { frame, rows, seconds } = await fitTable(jobContext(engine, options), csvFileTable(input), schema, keys);
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
        .description('transform a CSV with a fitted frame')
        .argument('<input>', 'CSV file with the frame\'s columns')
        .requiredOption('--frame <path>', 'frame file written by `geomask fit`')
        .requiredOption('--out <path>', 'release file to write (a report is written beside it)')
        .option('--row-map <path>', 'also write which input row each output row came from; this file re-links the release, keep it with the key'),
    ),
  ).action((input: string, options) => runTransformOrApply('apply', input, options));

  addOperators(
    addCommon(
      program
        .command('transform')
        .description('fit the frame on a CSV, then apply the operators to it (two passes over the file)')
        .argument('<input>', 'CSV file')
        .requiredOption('--out <path>', 'release file to write (the frame and a report are written beside it)')
        .option('--schema <path>', 'schema file (default: inferred, written to <out>.schema.json)')
        .option('--row-map <path>', 'also write which input row each output row came from; this file re-links the release, keep it with the key'),
    ),
  ).action((input: string, options) => runTransformOrApply('transform', input, options));

  addEvaluateCommand(program, { addCommon, addOperators, keysFor, jobContext, schemaFor, writeInferredSchema, checkOutput, stem, log });
  return program;
}

/** Runs the CLI; returns the exit status: 0 done, 2 bad input or usage, 1 internal failure. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) return 0;
      return 2;
    }
    if (error instanceof InputError) {
      process.stderr.write(`geomask: error: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`geomask: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.stderr.write('geomask: this is a bug or an environment problem; please report it with the command line and this message\n');
    return 1;
  }
}
