import { InputError } from '../../errors.js';
import type { BackendChoice } from '../../engine/select.js';
import { parseOperators, type Profile } from '../../pipeline/operators.js';
import { validateSchema, type Schema } from '../../schema/schema.js';
import { checkEvaluationOptions } from '../evaluation_options.js';
import { OPERATOR_FIELD, type EvaluateSettings, type KeyChoice, type OperatorChoice, type TransformSettings } from '../protocol.js';
import { byId } from './dom.js';
import type { KeyPanel } from './key_panel.js';
import type { SchemaEditor } from './schema_editor.js';

/** Settings that a transform and an evaluation share. */
type CommonSettings = Omit<TransformSettings, 'outputFormat'>;

/** Reads the run settings from the schema table and the options form; bad values are InputErrors. */
export class RunForm {
  private readonly profileSelect = byId<HTMLSelectElement>('profile-select');
  private readonly opsText = byId<HTMLInputElement>('ops-text');
  private readonly opsList = byId<HTMLInputElement>('ops-list');

  constructor(
    private readonly editor: SchemaEditor,
    private readonly keys: KeyPanel,
  ) {}

  transformSettings(header: string[]): TransformSettings {
    return { ...this.commonSettings(header), outputFormat: byId<HTMLSelectElement>('output-format').value };
  }

  evaluateSettings(header: string[]): EvaluateSettings {
    const shareText = byId<HTMLInputElement>('control-share').value;
    const attackText = byId<HTMLInputElement>('attack-rows').value.trim();
    const options = { controlShare: Number(shareText), attackRows: attackText === '' ? undefined : Number(attackText) };
    if (shareText.trim() === '' || Number.isNaN(options.controlShare)) throw new InputError(`share held back as controls "${shareText}" is not a number`, 'give a share between 0 and 1, such as 0.2');
    checkEvaluationOptions(options);
    return { ...this.commonSettings(header), ...options };
  }

  private commonSettings(header: string[]): CommonSettings {
    return {
      schema: this.editedSchema(header),
      operators: this.operatorChoice(),
      key: this.keys.choice(),
      backend: byId<HTMLSelectElement>('backend-select').value as BackendChoice,
      batchRows: this.batchRows(),
    };
  }

  private batchRows(): number {
    const value = Number(byId<HTMLInputElement>('batch-rows').value);
    if (!Number.isInteger(value) || value < 1) throw new InputError(`rows per batch "${byId<HTMLInputElement>('batch-rows').value}" is not a whole number ≥ 1`, 'give the number of rows per batch, such as 65536');
    return value;
  }

  private operatorChoice(): OperatorChoice {
    if (this.opsList.checked) {
      parseOperators(this.opsText.value, OPERATOR_FIELD);
      return { kind: 'list', text: this.opsText.value };
    }
    return { kind: 'profile', profile: this.profileSelect.value as Profile };
  }

  /** Returns the edited schema, checked against the file's header. */
  private editedSchema(header: string[]): Schema {
    const { schema, problems } = this.editor.current();
    if (problems.length > 0) throw new InputError(problems.join('; '), 'type a number, or clear the cell to leave the value out');
    return validateSchema(schema, 'schema table', header);
  }
}

/** Describes the settings of a finished job in one line, so each result names what produced it. */
export function describeSettings(settings: { operators: OperatorChoice; key: KeyChoice }, fileName: string): string {
  const operators = settings.operators.kind === 'profile' ? `profile ${settings.operators.profile}` : `operators ${settings.operators.text}`;
  const key = settings.key.mode === 'key-file' ? `key file ${settings.key.file}` : 'an ephemeral key';
  return `Made from ${fileName} with ${operators}, ${key} and label "${settings.key.label}".`;
}
