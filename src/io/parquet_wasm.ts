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

/**
 * A WebAssembly trap in parquet-wasm, such as the "unreachable" that a Rust panic on a
 * corrupt page ends in. The objects that the trapped call was using cannot be freed.
 */
export class ParquetWasmTrap extends Error {
  constructor(readonly trap: WebAssembly.RuntimeError) {
    super(`parquet-wasm stopped with a WebAssembly trap: ${trap.message}`, { cause: trap });
    this.name = 'ParquetWasmTrap';
  }
}

type NodeProcess = Pick<NodeJS.Process, 'on' | 'off'>;

/** Failure callbacks of the guarded calls in progress. A trap fails them all. */
const pendingCalls = new Set<(error: unknown) => void>();

function nodeProcess(): NodeProcess | undefined {
  const candidate = (globalThis as { process?: Partial<NodeProcess> }).process;
  return typeof candidate?.on === 'function' && typeof candidate.off === 'function' ? (candidate as NodeProcess) : undefined;
}

function onUncaughtException(error: unknown): void {
  if (error instanceof WebAssembly.RuntimeError) {
    const trap = new ParquetWasmTrap(error);
    for (const fail of [...pendingCalls]) fail(trap);
    return;
  }
  // Any other error is not ours to handle. Without this listener Node prints it and
  // exits with status 1, so the listener steps aside and throws it again.
  nodeProcess()?.off('uncaughtException', onUncaughtException);
  queueMicrotask(() => {
    throw error;
  });
}

/**
 * Runs an asynchronous parquet-wasm call and rejects with a ParquetWasmTrap when the
 * call traps. A trap is not a rejection of the call's promise: wasm-bindgen polls the
 * Rust future from a queued microtask, so the RuntimeError is thrown from that
 * microtask and the promise never settles. Node then ends the process on the uncaught
 * exception before any cleanup runs, so in Node this listens for uncaught exceptions
 * while guarded calls are in progress.
 *
 * NOTE: a trap cannot be traced to the call that caused it, so every guarded call in
 * progress is rejected with it. Browsers report such a trap as an `error` event and the
 * call never settles; this guard does not cover them.
 */
export function guardParquetWasm<T>(call: () => Promise<T>): Promise<T> {
  const node = nodeProcess();
  if (!node) return call();
  return new Promise<T>((resolve, reject) => {
    const finish = (): void => {
      pendingCalls.delete(fail);
      if (pendingCalls.size === 0) node.off('uncaughtException', onUncaughtException);
    };
    const fail = (error: unknown): void => {
      finish();
      reject(error);
    };
    if (pendingCalls.size === 0) node.on('uncaughtException', onUncaughtException);
    pendingCalls.add(fail);
    try {
      call().then((value) => {
        finish();
        resolve(value);
      }, fail);
    } catch (error) {
      fail(error);
    }
  });
}
