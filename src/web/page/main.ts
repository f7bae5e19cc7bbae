import { InputError } from '../../errors.js';
import type { BackendChoice } from '../../engine/select.js';
import type { EvaluationReport } from '../../evaluate/report.js';
import { parseOperators, PROFILES, type Profile } from '../../pipeline/operators.js';
import { validateSchema, type Schema } from '../../schema/schema.js';
import { acceptedInputTypes, INPUT_FORMATS, inputFormatFor, OUTPUT_FORMATS } from '../formats.js';
import type { EvaluationOutputs, RunOutputs, WorkerReply, WorkerRequest } from '../protocol.js';
import { byId, element, formatBytes, formatCount } from './dom.js';
import { Downloads } from './downloads.js';
import { renderEvaluation } from './evaluation_panel.js';
import { KeyPanel } from './key_panel.js';
import { ProgressView, type JobKind } from './progress_view.js';
import { renderReport } from './report_panel.js';
import { describeSettings, RunForm } from './run_form.js';
import { SchemaEditor } from './schema_editor.js';
import { WorkerClient } from './worker_client.js';

const PROFILE_HELP: Record<Profile, string> = {
  low: 'low: rotate by a keyed angle up to π/2 (ρ = 0.5), then PRAM (keep 0.8) on categorical quasi-identifiers.',
  moderate: 'moderate: rotate by π/6 to π/3 (ρ = 0.5), keep a keyed half of the dimensions (project), then PRAM (keep 0.8).',
  high: 'high: k-record mixing of groups of 10 to 19 similar rows (5 to 9 below 10,000 rows) with half the spread replaced by pooled noise (mix, α = 0.5), then PRAM (keep 0.8). Holds every row in memory.',
};

/** Rows per batch of the schema pass; the proposed schema does not depend on it. */
const INFER_BATCH_ROWS = 65_536;

const fileInput = byId<HTMLInputElement>('file-input');
const dropZone = byId('drop-zone');
const fileStatus = byId('file-status');
const schemaSection = byId('schema-section');
const optionsSection = byId('options-section');
const progressSection = byId('progress-section');
const resultsSection = byId('results-section');
const releaseResults = byId('release-results');
const evaluationResults = byId('evaluation-results');
const runButton = byId<HTMLButtonElement>('run-button');
const evaluateButton = byId<HTMLButtonElement>('evaluate-button');
const cancelButton = byId<HTMLButtonElement>('cancel-button');
const profileSelect = byId<HTMLSelectElement>('profile-select');
const opsText = byId<HTMLInputElement>('ops-text');
const opsList = byId<HTMLInputElement>('ops-list');

const progress = new ProgressView();
const downloads = new Downloads(byId('downloads'));
const evaluationDownloads = new Downloads(byId('evaluation-downloads'));
const editor = new SchemaEditor(byId<HTMLTableElement>('schema-table').tBodies[0], byId('schema-scroll'));
const keys = new KeyPanel((error) => showInputError(error));
const form = new RunForm(editor, keys);
const worker = new WorkerClient(handleReply);

/** The file being worked on, its header and the proposed schema, once the schema pass has read it. */
let current: { file: File; header: string[]; inferred?: { schema: Schema; reasons: string[] } } | undefined;
let busy = false;
let requestedBackend: BackendChoice = 'auto';
/** The line that names the settings of the running job, shown with its results. */
let runningSettings = '';

function setBusy(value: boolean): void {
  busy = value;
  runButton.disabled = value;
  evaluateButton.disabled = value;
  cancelButton.disabled = !value;
  fileInput.disabled = value;
}

function showInputError(error: InputError): void {
  progressSection.hidden = false;
  progress.showError(error.message, { problem: error.problem, fix: error.fix, location: error.location });
}

/** Hides one kind of result, and the results step when neither kind is left. */
function hideResults(kind: 'release' | 'evaluation' | 'both'): void {
  if (kind !== 'evaluation') {
    downloads.clear();
    releaseResults.hidden = true;
  }
  if (kind !== 'release') {
    evaluationDownloads.clear();
    byId('evaluation-panel').replaceChildren();
    evaluationResults.hidden = true;
  }
  resultsSection.hidden = releaseResults.hidden && evaluationResults.hidden;
}

function chooseFile(file: File): void {
  if (busy) return;
  hideResults('both');
  schemaSection.hidden = true;
  optionsSection.hidden = true;
  progress.reset('schema');
  try {
    inputFormatFor(file.name);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    current = undefined;
    fileStatus.textContent = '';
    showInputError(error);
    return;
  }
  current = { file, header: [] };
  fileStatus.textContent = `${file.name} (${formatBytes(file.size)}): reading it to propose a schema…`;
  progressSection.hidden = false;
  setBusy(true);
  worker.send({ type: 'infer', file, batchRows: INFER_BATCH_ROWS });
}

/** Starts a transform (the release of the whole table) or an evaluation (the report) with the form's settings. */
function startJob(kind: JobKind): void {
  if (!current || busy) return;
  let request: WorkerRequest;
  try {
    if (kind === 'transform') request = { type: 'transform', file: current.file, ...form.transformSettings(current.header) };
    else request = { type: 'evaluate', file: current.file, ...form.evaluateSettings(current.header) };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    // Results made with earlier settings are withdrawn too, so nothing offered for
    // download can be mistaken for a run of the settings now in the form.
    hideResults(kind === 'transform' ? 'release' : 'evaluation');
    progress.reset(kind);
    progress.stop('Not started: a setting is invalid.');
    showInputError(error);
    return;
  }
  // A new job replaces the results of its own kind. The other kind's results stay, with the settings that made them.
  hideResults(kind === 'transform' ? 'release' : 'evaluation');
  progress.reset(kind);
  progressSection.hidden = false;
  requestedBackend = request.backend;
  runningSettings = describeSettings(request, current.file.name);
  setBusy(true);
  worker.send(request);
}

const json = (text: string): Blob => new Blob([text], { type: 'application/json' });

/** Shows a result block and moves the focus to its heading, which also scrolls it into view for keyboard and screen-reader users. */
function revealResult(block: HTMLElement, heading: string): void {
  block.hidden = false;
  resultsSection.hidden = false;
  byId(heading).focus();
}

function showResults(outputs: RunOutputs, comparison: Parameters<typeof renderReport>[2]): void {
  downloads.clear();
  downloads.add('download-release', 'Release', outputs.release.name, outputs.release.blob);
  downloads.add('download-report', 'Run report (JSON)', outputs.report.name, json(outputs.report.text));
  downloads.add('download-frame', 'Frame', outputs.frame.name, json(outputs.frame.text));
  downloads.add('download-schema', 'Schema', outputs.schema.name, json(outputs.schema.text));
  byId('release-settings').textContent = runningSettings;
  renderReport(byId('report-panel'), JSON.parse(outputs.report.text), comparison);
  revealResult(releaseResults, 'release-title');
}

function showEvaluation(outputs: EvaluationOutputs, report: EvaluationReport): void {
  evaluationDownloads.clear();
  evaluationDownloads.add('download-evaluation-html', 'Evaluation report (HTML)', outputs.html.name, new Blob([outputs.html.text], { type: 'text/html' }));
  evaluationDownloads.add('download-evaluation-json', 'Evaluation report (JSON)', outputs.json.name, json(outputs.json.text));
  byId('evaluation-settings').textContent = runningSettings;
  renderEvaluation(byId('evaluation-panel'), report, outputs.html.text);
  revealResult(evaluationResults, 'evaluation-title');
}

function handleReply(reply: WorkerReply): void {
  switch (reply.type) {
    case 'log':
      progress.addLog(reply.line);
      break;
    case 'backend':
      progress.showBackend(reply.kind, reply.device, requestedBackend);
      break;
    case 'progress':
      progress.update(reply.stage, reply.rows, reply.total, reply.fraction, reply.final);
      break;
    case 'schema':
      current = { file: current!.file, header: reply.header, inferred: { schema: reply.schema, reasons: reply.reasons } };
      editor.show(reply.schema, reply.reasons);
      keys.setDefaultLabel(current.file.name);
      fileStatus.textContent = `${current.file.name}: ${formatCount(reply.rows)} rows and ${reply.header.length} columns read.`;
      progress.finish('Schema proposed; check it in step 2 above.');
      schemaSection.hidden = false;
      optionsSection.hidden = false;
      setBusy(false);
      break;
    case 'done':
      progress.finish(`Done: ${formatCount(reply.comparison.releaseRows)} rows released.`);
      showResults(reply.outputs, reply.comparison);
      setBusy(false);
      break;
    case 'evaluated':
      progress.finish('Done: the evaluation report is below.');
      showEvaluation(reply.outputs, reply.report);
      setBusy(false);
      break;
    case 'error':
      progress.stop('Stopped by an error.');
      progress.showError(reply.message, reply.input);
      setBusy(false);
      break;
  }
}

async function loadSchemaFile(file: File): Promise<void> {
  if (!current) return;
  let value: unknown;
  try {
    try {
      value = JSON.parse(await file.text());
    } catch (error) {
      throw new InputError(`schema is not valid JSON (${(error as Error).message})`, 'fix the JSON syntax, or write a schema with `geomask schema DATA.csv`', { file: file.name });
    }
    const schema = validateSchema(value, file.name, current.header);
    // The table lists columns in the file's order, whatever order the schema file uses.
    schema.columns = current.header.map((name) => schema.columns.find((c) => c.name === name)!);
    // A column keeps the inference's reason where the file agrees with the proposed role.
    const inferred = current.inferred;
    const reasons = schema.columns.map((column, i) => (inferred?.schema.columns[i]?.role === column.role ? inferred.reasons[i] : `set in ${file.name}`));
    editor.show(schema, reasons);
    fileStatus.textContent = `${current.file.name}: schema loaded from ${file.name}.`;
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    showInputError(error);
  }
}

function setUpFileInputs(): void {
  fileInput.accept = acceptedInputTypes();
  byId('input-formats').textContent = INPUT_FORMATS.map((f) => f.label).join(', ');
  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    fileInput.value = '';
    if (file) chooseFile(file);
  });
  dropZone.addEventListener('dragover', (event) => {
    event.preventDefault();
    dropZone.classList.add('dragging');
  });
  dropZone.addEventListener('dragleave', () => dropZone.classList.remove('dragging'));
  dropZone.addEventListener('drop', (event) => {
    event.preventDefault();
    dropZone.classList.remove('dragging');
    const file = event.dataTransfer?.files[0];
    if (file) chooseFile(file);
  });
  // A file dropped beside the zone must not make the browser open it in place of the page.
  window.addEventListener('dragover', (event) => event.preventDefault());
  window.addEventListener('drop', (event) => event.preventDefault());

  const schemaInput = byId<HTMLInputElement>('schema-input');
  schemaInput.addEventListener('change', () => {
    const file = schemaInput.files?.[0];
    schemaInput.value = '';
    if (file) void loadSchemaFile(file);
  });
}

function setUpOptions(): void {
  for (const name of PROFILES) profileSelect.append(element('option', { value: name, selected: name === 'moderate' }, name));
  const profileHelp = byId('profile-help');
  const refreshHelp = (): void => {
    profileHelp.textContent = PROFILE_HELP[profileSelect.value as Profile];
  };
  profileSelect.addEventListener('change', () => {
    byId<HTMLInputElement>('ops-profile').checked = true;
    refreshHelp();
  });
  refreshHelp();
  opsText.addEventListener('input', () => {
    opsList.checked = true;
    try {
      parseOperators(opsText.value);
      opsText.removeAttribute('aria-invalid');
    } catch {
      opsText.setAttribute('aria-invalid', 'true');
    }
  });
  const formatSelect = byId<HTMLSelectElement>('output-format');
  for (const format of OUTPUT_FORMATS) formatSelect.append(element('option', { value: format.id }, format.label));

  byId<HTMLFormElement>('run-form').addEventListener('submit', (event) => {
    event.preventDefault();
    startJob('transform');
  });
  evaluateButton.addEventListener('click', () => startJob('evaluate'));
  cancelButton.addEventListener('click', () => {
    worker.cancel();
    setBusy(false);
    progress.stop('Cancelled; nothing was kept.');
    // The Cancel button is disabled now, so the focus goes back to the form.
    runButton.focus();
  });
}

function showPolicy(): void {
  const policy = document.querySelector<HTMLMetaElement>('meta[http-equiv="Content-Security-Policy"]');
  if (policy) byId('csp-text').textContent = policy.content;
}

showPolicy();
setUpFileInputs();
setUpOptions();
