import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * A file written under a temporary name in the target's folder and renamed onto the
 * target on commit, so a failed run never leaves a partial output behind.
 */
export class AtomicFile {
  readonly temporaryPath: string;
  private readonly stream: WriteStream;
  private failure: Error | undefined;

  constructor(readonly path: string) {
    const suffix = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    this.temporaryPath = join(dirname(path), `.${basename(path)}.${suffix}.partial`);
    this.stream = createWriteStream(this.temporaryPath);
    this.stream.on('error', (error) => {
      this.failure = error;
    });
  }

  async write(chunk: string | Uint8Array): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.stream.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        this.stream.once('drain', resolve);
        this.stream.once('error', reject);
      });
    }
  }

  async commit(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.stream.end((error?: Error | null) => (error ? reject(error) : resolve()));
    });
    if (this.failure) throw this.failure;
    await rename(this.temporaryPath, this.path);
  }

  async abort(): Promise<void> {
    this.stream.destroy();
    await rm(this.temporaryPath, { force: true });
  }
}

/** Writes a whole text file atomically. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const file = new AtomicFile(path);
  try {
    await file.write(text);
    await file.commit();
  } catch (error) {
    await file.abort();
    throw error;
  }
}
