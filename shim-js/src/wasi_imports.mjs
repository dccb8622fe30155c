// The few WASI preview-1 imports the module can reach, implemented directly: node:wasi would
// print an ExperimentalWarning in every sandbox, and the module only uses them on abort
// paths (libc writing a message to stderr, then exiting).
import { fillRandom } from './host_random.mjs';

const ERRNO_SUCCESS = 0;
const ERRNO_BADF = 8;
const ERRNO_NOSYS = 52;

/**
 * @param {() => WebAssembly.Memory} memory  current memory (resolved lazily: imports exist
 *   before the instance does)
 * @param {(line: string) => void} log
 */
export function wasiImports(memory, log) {
  let pending = '';
  const bytes = () => new Uint8Array(memory().buffer);
  const view = () => new DataView(memory().buffer);
  const known = {
    fd_write(fd, iovs, iovsLen, nwrittenPtr) {
      if (fd !== 1 && fd !== 2) return ERRNO_BADF;
      const dv = view();
      const mem = bytes();
      let written = 0;
      for (let i = 0; i < iovsLen; i++) {
        const ptr = dv.getUint32(iovs + i * 8, true);
        const len = dv.getUint32(iovs + i * 8 + 4, true);
        pending += Buffer.from(mem.buffer, mem.byteOffset + ptr, len).toString('utf8');
        written += len;
      }
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        log(`edgetrace: wasm: ${pending.slice(0, nl)}`);
        pending = pending.slice(nl + 1);
      }
      if (pending.length > 4096) pending = pending.slice(-4096);
      dv.setUint32(nwrittenPtr, written, true);
      return ERRNO_SUCCESS;
    },
    random_get(ptr, len) {
      fillRandom(memory().buffer, ptr, len);
      return ERRNO_SUCCESS;
    },
    clock_time_get(_id, _precision, timePtr) {
      const ns = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
      view().setBigUint64(timePtr, ns, true);
      return ERRNO_SUCCESS;
    },
    environ_sizes_get(countPtr, sizePtr) {
      const dv = view();
      dv.setUint32(countPtr, 0, true);
      dv.setUint32(sizePtr, 0, true);
      return ERRNO_SUCCESS;
    },
    environ_get: () => ERRNO_SUCCESS,
    fd_close: () => ERRNO_BADF,
    fd_seek: () => ERRNO_BADF,
    fd_fdstat_get: () => ERRNO_BADF,
    proc_exit(code) {
      throw new WebAssembly.RuntimeError(`edgetrace module exited with code ${code}`);
    },
  };
  // Anything else a future libc might import answers "not supported" instead of failing
  // instantiation.
  return new Proxy(known, {
    get: (target, name) => (name in target ? target[name] : () => ERRNO_NOSYS),
  });
}
