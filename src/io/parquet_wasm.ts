/** The parquet-wasm module: the Rust parquet and arrow crates compiled to WebAssembly. */
export type ParquetWasm = typeof import('parquet-wasm/node');

let loaded: Promise<ParquetWasm> | undefined;

/**
 * Sets the module for runtimes that must initialize it themselves: a browser page
 * imports `parquet-wasm` (its ESM build), awaits its default export with the URL of
 * parquet_wasm_bg.wasm, and passes the module here before reading or writing Parquet.
 */
export function setParquetWasm(module: ParquetWasm): void {
  loaded = Promise.resolve(module);
}

/** The module, loaded on first use: the Node build in Node, the ESM build elsewhere. */
export function parquetWasm(): Promise<ParquetWasm> {
  loaded ??= (async () => {
    const isNode = Boolean((globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node);
    if (isNode) {
      // A specifier in a variable keeps browser bundlers from packing the Node build,
      // which reads its .wasm file with fs.
      const nodeBuild = 'parquet-wasm/node';
      const module = (await import(/* @vite-ignore */ nodeBuild)) as ParquetWasm & { default?: ParquetWasm };
      return module.default ?? module;
    }
    const esm = (await import('parquet-wasm/esm')) as unknown as ParquetWasm & { default: () => Promise<unknown> };
    await esm.default();
    return esm;
  })();
  return loaded;
}
