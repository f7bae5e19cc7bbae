import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIABETES_SAMPLE, DIABETES_SCHEMA } from './helpers/fixtures.js';
import { filesIn, geomask, tempFolder } from './helpers/cli.js';

/** Lists every path through an object to a number, such as "settings.0.privacy.membership.auc". */
function numberPaths(value: unknown, prefix = ''): string[] {
  if (typeof value === 'number') return [prefix];
  if (Array.isArray(value)) return value.flatMap((v, i) => numberPaths(v, `${prefix}.${i}`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => numberPaths(v, prefix ? `${prefix}.${k}` : k));
  return [];
}

describe('evaluate on the bundled example', () => {
  let folder: string;
  let result: Awaited<ReturnType<typeof geomask>>;
  let report: any;

  beforeAll(async () => {
    folder = tempFolder();
    result = await geomask(['evaluate', DIABETES_SAMPLE, '--schema', DIABETES_SCHEMA, '--out', join(folder, 'evaluation.json'), '--grid', 'low;moderate:no-pram', '--attack-rows', '800', '--calibration-rows', '2000', '--target', 'readmitted=<30', '--key-file', join(folder, 'k.key')]);
    report = JSON.parse(readFileSync(join(folder, 'evaluation.json'), 'utf8'));
  });

  it('exits 0 and writes the JSON and HTML reports', () => {
    expect(result.code, result.stderr).toBe(0);
    expect(filesIn(folder)).toEqual(['evaluation.html', 'evaluation.json', 'k.key']);
    expect(readFileSync(join(folder, 'evaluation.html'), 'utf8')).toMatch(/<svg/);
  });

  it('prints the privacy–utility table', () => {
    const rows = result.stdout.trim().split('\n');
    expect(rows).toHaveLength(4);
    expect(rows[2]).toMatch(/^\| low \| [0-9.]+% \|/);
    expect(rows[3]).toMatch(/^\| moderate:no-pram \|/);
  });

  it('splits by patient and attacks the sample asked for', () => {
    expect(report.input.split.by).toBe('patient');
    expect(report.input.targets + report.input.controls).toBe(5000);
    expect(report.settings[0].privacy.attacked.targets).toBe(800);
  });

  it('reports every attack and measure as a number', () => {
    const paths = numberPaths(report.settings[1]).map((p) => p.replace(/\.\d+(\.|$)/g, '.#$1'));
    const expected = [
      'privacy.reconstruction.naive.meanRmseOverSd',
      'privacy.reconstruction.knownPairs.columns.#.within01Sd',
      'privacy.reconstruction.bestLinear.meanWithin01Sd',
      'privacy.linkage.numeric.accuracy',
      'privacy.linkage.numeric.top5',
      'privacy.linkage.numeric.chance',
      'privacy.linkage.quasiIdentifiers.accuracy',
      'privacy.linkage.missingness.accuracy',
      'privacy.linkage.aware.numeric.accuracy',
      'privacy.linkage.aware.withCategorical.accuracy',
      'privacy.linkage.aware.withCategoricalAndMissingness.top5',
      'privacy.uniqueness.input',
      'privacy.membership.auc',
      'privacy.membership.tprAt1PercentFpr',
      'privacy.attribute.#.neighbours.#.risk',
      'privacy.attribute.#.neighbours.#.interval.low',
      'utility.columns.#.ks',
      'utility.columns.#.release.quantiles.#',
      'utility.correlation.pearson.vsInput.frobenius',
      'utility.correlation.spearman.vsFrameOnly.max',
      'utility.logistic.releaseAuc',
      'utility.logistic.realAuc',
      'utility.logistic.frameOnlyAuc',
    ];
    for (const path of expected) expect(paths, path).toContain(path);
    expect(report.settings[1].privacy.attribute.map((a: { column: string }) => a.column)).toEqual(['diag_1', 'diag_2', 'diag_3', 'readmitted']);
  });

  it('shows PRAM on the categorical quasi-identifiers in the release', () => {
    expect(report.settings[0].operators.at(-1)).toBe('pram(keep=0.8)');
    expect(report.settings[1].operators.join(',')).not.toMatch(/pram/);
    expect(report.settings[0].privacy.linkage.aware.pramKeep).toBe(0.8);
    expect(report.settings[1].privacy.linkage.aware.pramKeep).toBe(1);
  });
});

describe('evaluate --release audits a transform', () => {
  let folder: string;
  let transform: Awaited<ReturnType<typeof geomask>>;
  let audit: Awaited<ReturnType<typeof geomask>>;

  beforeAll(async () => {
    folder = tempFolder();
    const lines = readFileSync(DIABETES_SAMPLE, 'utf8').trimEnd().split('\n');
    writeFileSync(join(folder, 'input.csv'), `${lines.slice(0, 4001).join('\n')}\n`);
    writeFileSync(join(folder, 'control.csv'), `${[lines[0], ...lines.slice(4001)].join('\n')}\n`);
    const key = join(folder, 'k.key');
    transform = await geomask(['transform', join(folder, 'input.csv'), '--schema', DIABETES_SCHEMA, '--out', join(folder, 'release.csv'), '--row-map', join(folder, 'map.csv'), '--profile', 'low', '--key-file', key, '--quiet']);
    audit = await geomask(['evaluate', join(folder, 'input.csv'), '--schema', DIABETES_SCHEMA, '--release', join(folder, 'release.csv'), '--control', join(folder, 'control.csv'), '--row-map', join(folder, 'map.csv'), '--out', join(folder, 'audit.json'), '--attack-rows', '600', '--calibration-rows', '2000', '--key-file', key, '--quiet']);
  });

  it('exits 0 and reads the operators and frame written with the release', () => {
    expect(transform.code, transform.stderr).toBe(0);
    expect(audit.code, audit.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(folder, 'audit.json'), 'utf8'));
    const run = JSON.parse(readFileSync(join(folder, 'release.report.json'), 'utf8'));
    expect(report.input.split.by).toBe('files');
    expect(report.input.controls).toBe(1000);
    expect(report.settings[0].operators).toEqual(run.operators);
    expect(report.settings[0].privacy.linkage.aware.numeric.accuracy).toBeLessThan(0.05);
    expect(report.settings[0].privacy.linkage.numeric.accuracy).toBeLessThan(0.05);
  });

  it('takes the schema from the frame without --schema', async () => {
    const args = ['evaluate', join(folder, 'input.csv'), '--release', join(folder, 'release.csv'), '--control', join(folder, 'control.csv'), '--row-map', join(folder, 'map.csv'), '--out', join(folder, 'framed.json')];
    const result = await geomask([...args, '--attack-rows', '300', '--calibration-rows', '1000', '--key-file', join(folder, 'k.key'), '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(folder, 'framed.schema.json'))).toBe(false);
    const report = JSON.parse(readFileSync(join(folder, 'framed.json'), 'utf8'));
    expect(report.settings[0].privacy.linkage.numeric.accuracy).toBeLessThan(0.05);
  });
});

describe('evaluate rejects bad usage', () => {
  it('needs --control with --release', async () => {
    const folder = tempFolder();
    const result = await geomask(['evaluate', DIABETES_SAMPLE, '--schema', DIABETES_SCHEMA, '--release', DIABETES_SAMPLE, '--out', join(folder, 'e.json')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--release and --control go together/);
    expect(filesIn(folder)).toEqual([]);
  });

  it('names the positive class when the target has more than two values', async () => {
    const folder = tempFolder();
    const result = await geomask(['evaluate', DIABETES_SAMPLE, '--schema', DIABETES_SCHEMA, '--target', 'readmitted', '--out', join(folder, 'e.json'), '--attack-rows', '50', '--quiet']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/"readmitted" has 3 values/);
    expect(filesIn(folder)).toEqual([]);
  });

  it('rejects a bad grid before reading the data', async () => {
    const folder = tempFolder();
    const result = await geomask(['evaluate', 'no-such-file.csv', '--grid', 'low;rotate(theta=2..1)', '--out', join(folder, 'e.json')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/range 2\.\.1 has low > high/);
  });
});
