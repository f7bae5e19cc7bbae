import { formatDuration } from '../../cli/progress.js';
import type { BackendChoice } from '../../engine/select.js';
import { formatInputError, type InputLocation } from '../../errors.js';
import { byId, element, formatCount } from './dom.js';

/** The worker's jobs: the schema pass, the release of the whole table, the evaluation. */
export type JobKind = 'schema' | 'transform' | 'evaluate';

const TRANSFORM_STAGES: Record<string, string> = {
  schema: 'Reading the file to propose a schema',
  fit: 'Fitting the frame (first pass)',
  apply: 'Transforming rows (second pass)',
  compare: 'Comparing the release with the input',
};

// The evaluator fits the frame on the targets, releases them twice (without operators,
// then with them) and runs one stage per attack.
const EVALUATE_STAGES: Record<string, string> = {
  read: 'Reading the file and splitting it into targets and controls',
  fit: 'Fitting the frame on the targets',
  apply: 'Releasing the targets in memory',
  'aware linkage': 'Attack: algorithm-aware record linkage',
  'linkage (numeric)': 'Attack: record linkage on numeric columns',
  'linkage (quasi-identifiers)': 'Attack: record linkage on all quasi-identifiers',
  membership: 'Attack: membership inference',
  'attribute inference': 'Attack: attribute inference',
  report: 'Drawing the plots of the report',
};

/** The progress bar, status line, backend line, error box and log of the page. */
export class ProgressView {
  private readonly bar = byId<HTMLProgressElement>('progress-bar');
  private readonly label = byId('progress-label');
  private readonly text = byId('progress-text');
  private readonly backend = byId('backend-status');
  private readonly errorBox = byId('error-box');
  private readonly log = byId('log');
  private stage = '';
  private stageStarted = 0;
  private stageNames = TRANSFORM_STAGES;

  /** Clears the view for a new job, whose stages get that job's names. */
  reset(kind: JobKind): void {
    this.stageNames = kind === 'evaluate' ? EVALUATE_STAGES : TRANSFORM_STAGES;
    this.stage = '';
    this.bar.value = 0;
    this.label.textContent = 'Starting';
    this.text.textContent = '';
    this.backend.textContent = '';
    this.errorBox.hidden = true;
    this.errorBox.replaceChildren();
    this.log.textContent = '';
  }

  addLog(line: string): void {
    this.log.textContent += `${line}\n`;
  }

  /** Shows where the run's stages execute and, on the CPU, why. */
  showBackend(kind: 'gpu' | 'cpu', device: string, requested: BackendChoice): void {
    let text: string;
    if (kind === 'gpu') text = `Backend: WebGPU on adapter "${device}", in a Web Worker.`;
    else if (requested === 'cpu') text = `Backend: ${device} in a Web Worker, as chosen.`;
    else text = `Backend: ${device} in a Web Worker, because this browser offers no WebGPU adapter.`;
    this.backend.textContent = text;
    this.backend.dataset.kind = kind;
  }

  /** Shows rows done, the share done, the rate and the time left of a stage. */
  update(stage: string, rows: number, total: number | undefined, fraction: number | undefined, final: boolean): void {
    const now = performance.now();
    if (stage !== this.stage) {
      this.stage = stage;
      this.stageStarted = now;
      this.label.textContent = this.stageNames[stage] ?? stage;
    }
    let done = fraction;
    if (total !== undefined && total > 0) done = Math.min(1, rows / total);
    if (final) done = 1;
    if (done === undefined) this.bar.removeAttribute('value');
    else this.bar.value = done;

    const seconds = (now - this.stageStarted) / 1000;
    let text = `${formatCount(rows)} rows`;
    if (total !== undefined) text += ` of ${formatCount(total)}`;
    if (done !== undefined) text += ` (${Math.round(done * 100)}%)`;
    if (seconds > 0) text += `, ${formatCount(Math.round(rows / seconds))} rows/s`;
    if (!final && done !== undefined && done > 0) text += `, ${formatDuration((seconds * (1 - done)) / done)} left`;
    this.text.textContent = text;
  }

  finish(message: string): void {
    this.bar.value = 1;
    this.label.textContent = 'Done';
    this.text.textContent = message;
  }

  stop(message: string): void {
    this.label.textContent = 'Stopped';
    this.bar.value = 0;
    this.text.textContent = message;
  }

  /** Shows an error: for bad input the problem, where it is and the fix. */
  showError(message: string, input?: { problem: string; fix: string; location: InputLocation }): void {
    this.errorBox.hidden = false;
    if (input) {
      const where = formatInputError(input.problem, input.fix, input.location).split('\n')[0];
      this.errorBox.replaceChildren(element('strong', {}, 'The input cannot be used.'), element('p', {}, where), element('p', {}, `Fix: ${input.fix}`), element('p', {}, 'Nothing was produced.'));
    } else {
      this.errorBox.replaceChildren(element('strong', {}, 'The run failed.'), element('p', {}, message), element('p', {}, 'Nothing was produced. This is a bug or a browser problem; the log below has the details.'));
      this.addLog(message);
    }
  }
}
