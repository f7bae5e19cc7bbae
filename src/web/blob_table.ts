import { CsvTable } from '../io/table.js';

/**
 * A CSV table whose bytes come from a Blob, such as a File the user dropped or
 * picked. Every pass streams the Blob again, so the file is never held in memory whole.
 */
export function blobCsvTable(name: string, blob: Blob): CsvTable {
  return new CsvTable(name, () => {
    let bytesRead = 0;
    async function* chunks(): AsyncGenerator<Uint8Array> {
      const reader = blob.stream().getReader();
      let finished = false;
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) {
            finished = true;
            return;
          }
          bytesRead += value.byteLength;
          yield value;
        }
      } finally {
        // A pass that stops early (a bad row) releases the file.
        if (!finished) await reader.cancel();
      }
    }
    return { chunks: chunks(), fractionRead: () => (blob.size > 0 ? bytesRead / blob.size : undefined) };
  });
}
