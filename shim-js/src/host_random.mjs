// CSPRNG bytes for the module. Most requests never need any (edge ids derive from
// cf.config.requestId), so the crypto implementation is not touched at load: importing
// node:crypto, or the first use of globalThis.crypto, costs about 3 ms of every cold start.
// Web Crypto's getRandomValues is the same CSPRNG as crypto.randomFillSync and is a global on
// every supported Node.js (20 and 22).
const MAX_BYTES_PER_CALL = 65536; // getRandomValues refuses more at once

/**
 * Fills `len` bytes at `ptr` of `buffer` (a Wasm memory's ArrayBuffer) with random bytes.
 * @param {ArrayBuffer} buffer
 * @param {number} ptr
 * @param {number} len
 */
export function fillRandom(buffer, ptr, len) {
  for (let done = 0; done < len; done += MAX_BYTES_PER_CALL) {
    const n = Math.min(MAX_BYTES_PER_CALL, len - done);
    globalThis.crypto.getRandomValues(new Uint8Array(buffer, ptr + done, n));
  }
}
