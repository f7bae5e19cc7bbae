import { setParquetWasm, type ParquetWasm } from '../io/parquet_wasm.js';

let loading: Promise<void> | undefined;

/** Decodes base64 text into bytes. */
function base64Bytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Loads parquet-wasm in the page's worker with no network request. The page's policy
 * forbids fetch even from its own origin (connect-src 'none'), so the WebAssembly module
 * travels inside a script chunk as base64 (web/base64_plugin.ts). It is compiled from
 * memory, which needs 'wasm-unsafe-eval' in script-src, and handed to the readers and
 * writers with setParquetWasm. The chunk (about 6.6 MB) loads with the first Parquet file.
 */
export function loadParquetModule(): Promise<void> {
  loading ??= (async () => {
    const [glue, { default: base64 }] = await Promise.all([import('parquet-wasm/esm'), import('parquet-wasm/esm/parquet_wasm_bg.wasm?base64')]);
    await glue.default({ module_or_path: base64Bytes(base64) });
    setParquetWasm(glue as unknown as ParquetWasm);
  })();
  // A failed load is not kept, so the next Parquet file tries again.
  loading.catch(() => (loading = undefined));
  return loading;
}
