import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { CodecError } from './types.ts';

/**
 * Loads the Emscripten codec modules (CommonJS factories shipped with their .wasm) in plain Node, tsx,
 * vitest and Electron's Node alike: the .wasm is read from the package folder and handed to the factory
 * as `wasmBinary`, so nothing is fetched. Each module is instantiated once per process, on first use,
 * and dropped after a codec crash (a C++ exception or a wasm trap can leave its heap inconsistent), so
 * the next frame gets a fresh instance.
 */

const requireHere = createRequire(import.meta.url);

/** The Emscripten factory every codec package exports. */
type EmscriptenFactory<M> = (options: { wasmBinary: Uint8Array; print: (text: string) => void; printErr: (text: string) => void }) => Promise<M>;

/** How to find one codec module: its JavaScript factory and its .wasm, as package export specifiers. */
export interface WasmModuleSpec<M> {
  label: string;
  /** Returns the factory (a `require` of the package's JS export). */
  factory: () => EmscriptenFactory<M>;
  /** The package export of the .wasm file (resolved to a path, then read). */
  wasm: string;
}

export interface WasmModuleHandle<M> {
  get(): Promise<M>;
  /** Forget the instance after a crash; the next `get()` makes a new one. */
  reset(): void;
}

export function wasmModule<M>(spec: WasmModuleSpec<M>): WasmModuleHandle<M> {
  let instance: Promise<M> | undefined;
  return {
    get() {
      instance ??= (async () => {
        const wasmBinary = new Uint8Array(await readFile(requireHere.resolve(spec.wasm)));
        // Codecs print progress ("[INFO] Main header has been correctly decoded") to stdout: keep it out of
        // the CLI's output and the test logs. Failures reach us as exceptions, not as prints.
        const quiet = (): void => undefined;
        return spec.factory()({ wasmBinary, print: quiet, printErr: quiet });
      })().catch((error: unknown) => {
        instance = undefined;
        throw new CodecError(`the ${spec.label} decoder could not be loaded (${error instanceof Error ? error.message : String(error)}); reinstall VoxNAS's dependencies (npm ci)`);
      });
      return instance;
    },
    reset() {
      instance = undefined;
    },
  };
}

/** Package specifiers of the codec modules (their `exports` entries), in one place. */
export const CODEC_MODULES = {
  libjpegTurbo: { factory: () => requireHere('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs'), wasm: '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm' },
  charls: { factory: () => requireHere('@cornerstonejs/codec-charls/decodewasmjs'), wasm: '@cornerstonejs/codec-charls/decodewasm' },
  openjpeg: { factory: () => requireHere('@cornerstonejs/codec-openjpeg/decodewasmjs'), wasm: '@cornerstonejs/codec-openjpeg/decodewasm' },
  openjph: { factory: () => requireHere('@cornerstonejs/codec-openjph/wasmjs'), wasm: '@cornerstonejs/codec-openjph/wasm' },
} as const;

/**
 * The message of whatever a codec threw. Emscripten codecs throw a C++ exception as a bare number (a
 * pointer); CharLS can turn that into its message.
 */
export function codecErrorMessage(error: unknown, module?: { getExceptionMessage?: (pointer: number) => unknown }): string {
  if (typeof error === 'number') {
    try {
      const message = module?.getExceptionMessage?.(error);
      if (Array.isArray(message)) return message.filter(Boolean).join(': ');
      if (typeof message === 'string' && message) return message;
    } catch {
      // fall through to the generic message
    }
    return 'the decoder rejected the stream (internal error)';
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
