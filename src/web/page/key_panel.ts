import { InputError } from '../../errors.js';
import { formatKeyText, KEY_WARNING, parseKeyText } from '../../pipeline/key_text.js';
import { randomSecret } from '../../prf/keys.js';
import type { KeyChoice } from '../protocol.js';
import { byId } from './dom.js';
import { saveBlob } from './downloads.js';

const KEY_FIX = 'choose a key file written by geomask or by this page, or generate a new one here';

/** The key controls: ephemeral or a key file that is chosen or generated. */
export class KeyPanel {
  private readonly ephemeral = byId<HTMLInputElement>('key-ephemeral');
  private readonly keyFileMode = byId<HTMLInputElement>('key-file-mode');
  private readonly input = byId<HTMLInputElement>('key-input');
  private readonly status = byId('key-status');
  private readonly warning = byId('key-warning');
  private readonly label = byId<HTMLInputElement>('label-input');
  private keyFile: { name: string; secret: Uint8Array } | undefined;

  constructor(private readonly onError: (error: InputError) => void) {
    this.warning.textContent = KEY_WARNING.replace(/^warning: w/, 'W');
    this.input.addEventListener('change', () => void this.readChosenFile());
    byId('key-generate').addEventListener('click', () => this.generate());
    for (const radio of [this.ephemeral, this.keyFileMode]) radio.addEventListener('change', () => this.refresh());
    this.refresh();
  }

  /** Sets the default label for a new input file, as the CLI defaults it to the file name. */
  setDefaultLabel(fileName: string): void {
    this.label.value = fileName;
  }

  /** Returns the key of the next run. Raises an InputError when a key file is selected but none is chosen. */
  choice(): KeyChoice {
    const label = this.label.value;
    if (label.trim() === '') throw new InputError('the dataset label is empty', 'enter a label, such as the input file name');
    if (this.ephemeral.checked) return { mode: 'ephemeral', label };
    if (!this.keyFile) throw new InputError('"Key file" is selected but no key file is chosen', KEY_FIX);
    return { mode: 'key-file', file: this.keyFile.name, secret: this.keyFile.secret, label };
  }

  private async readChosenFile(): Promise<void> {
    const file = this.input.files?.[0];
    this.input.value = '';
    if (!file) return;
    try {
      this.use(file.name, parseKeyText(await file.text(), file.name, KEY_FIX), `Key file ${file.name} loaded.`);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      // "Key file" stays selected, so a run cannot fall back to an ephemeral key unnoticed:
      // it stops until a valid key file is chosen.
      this.keyFile = undefined;
      this.keyFileMode.checked = true;
      this.refresh();
      this.status.textContent = `${file.name} was not loaded: ${error.problem}. No key file is chosen.`;
      this.onError(error);
    }
  }

  private generate(): void {
    const secret = randomSecret();
    const name = 'geomask.key';
    saveBlob(name, new Blob([formatKeyText(secret)], { type: 'text/plain' }));
    this.use(name, secret, `A new key was generated and offered for download as ${name}; keep that file to repeat this run.`);
  }

  private use(name: string, secret: Uint8Array, message: string): void {
    this.keyFile = { name, secret };
    this.keyFileMode.checked = true;
    this.status.textContent = message;
    this.refresh();
  }

  private refresh(): void {
    this.warning.hidden = !this.keyFileMode.checked;
  }
}
