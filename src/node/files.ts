import { createReadStream, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.js';
import type { CsvSource } from '../io/csv_reader.js';

/** A CSV file as a stream of chunks, with its size for progress. Missing files are InputErrors. */
export function csvFile(path: string): CsvSource & { bytes: number; bytesRead: () => number } {
  let bytes: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new InputError('path is not a file', 'give the path of a CSV file', { file: path });
    bytes = stat.size;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError('file not found', 'check the path and spelling of the input file', { file: path });
  }
  let read = 0;
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for await (const chunk of stream) {
      read += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  }
  return { name: path, chunks: chunks(), bytes, bytesRead: () => read };
}

/** Reads a JSON file, turning a missing file or bad JSON into an InputError. */
export async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InputError(`${what} file not found`, `check the path of the ${what} file`, { file: path });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`${what} file is not valid JSON (${(error as Error).message})`, `fix the JSON syntax of the ${what} file`, { file: path });
  }
}
