// Loads the REAL built package (black box) for the Node harness.
//
// Default: dist/lambda/index.mjs (built by `make package`). EDGETRACE_PACKAGE_DIR points the same
// suite at another build (e.g. the Emscripten-built module packaged the same way).
//
// A missing package is a FAILURE, not a skip: a green run must mean the package was exercised.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export const PACKAGE_DIR = process.env.EDGETRACE_PACKAGE_DIR
  ? path.resolve(process.env.EDGETRACE_PACKAGE_DIR)
  : path.resolve(here, '../../../dist/lambda');
export const PACKAGE_ENTRY = path.join(PACKAGE_DIR, 'index.mjs');

// What Lambda sets in a Lambda@Edge replica (reserved variables only). Set before the package
// is imported, and only when the caller did not set them.
export const LAMBDA_ENV = {
  AWS_REGION: 'eu-central-1',
  AWS_LAMBDA_FUNCTION_NAME: 'us-east-1.edgetrace-origin',
  AWS_LAMBDA_FUNCTION_VERSION: '7',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
};
for (const [k, v] of Object.entries(LAMBDA_ENV)) process.env[k] ??= v;

let loaded;
/** @returns {Promise<{mod?: object, error?: Error}>} */
export async function loadPackage() {
  if (loaded) return loaded;
  if (!fs.existsSync(PACKAGE_ENTRY)) {
    loaded = {
      error: new Error(
        `edgetrace package not found at ${PACKAGE_ENTRY}: run \`make package\` first ` +
          '(or set EDGETRACE_PACKAGE_DIR to a built package directory)',
      ),
    };
    return loaded;
  }
  try {
    loaded = { mod: await import(pathToFileURL(PACKAGE_ENTRY).href) };
  } catch (error) {
    loaded = { error };
  }
  return loaded;
}

/** Returns the package module or throws (so the calling test FAILS with a clear message). */
export async function requirePackage() {
  const { mod, error } = await loadPackage();
  if (error) throw error;
  if (typeof mod.createHandler !== 'function') {
    throw new Error(`${PACKAGE_ENTRY} does not export createHandler(config, hooks)`);
  }
  return mod;
}

/**
 * createHandler with a log hook that captures every line; the visibility line is kept apart
 * (in `visibility`) so tests can count problem lines exactly.
 * @returns {Promise<{handler: Function, logs: string[], linesSince: (mark:number)=>string[]}>}
 */
/** The once-per-sandbox header-visibility line: information, not a problem report. */
export const VISIBILITY_LINE = /^edgetrace: response events carry request-side headers: (yes|no) \(AWS_REGION=/;

export async function makeHandler(config) {
  const mod = await requirePackage();
  const logs = [];
  const visibility = [];
  const handler = mod.createHandler(config, {
    log: (line) => (VISIBILITY_LINE.test(line) ? visibility : logs).push(String(line)),
  });
  return {
    handler,
    logs,
    visibility,
    mark: () => logs.length,
    linesSince: (mark) => logs.slice(mark),
    edgeLinesSince: (mark) => logs.slice(mark).filter((l) => l.includes('edgetrace:')),
  };
}

/** A complete, valid config exporting to `endpoint` (sections overridable one by one). */
export function otlpConfig(endpoint, overrides = {}) {
  const base = {
    service: { name: 'edgetrace-harness', version: '1.2.3', environment: 'test' },
    exporter: { mode: 'otlp-http', endpoint, timeoutMs: 200 },
    sampling: { ratio: 1 },
    propagation: { trustIncoming: true },
    limits: { attributeValueLength: 256 },
  };
  const out = structuredClone(base);
  for (const [section, value] of Object.entries(overrides)) {
    if (value && typeof value === 'object' && !Array.isArray(value) && out[section]) {
      out[section] = { ...out[section], ...value };
    } else out[section] = value;
  }
  return out;
}

/** Awaits a promise, measuring wall time; never lets a rejection escape unrecorded. */
export async function timed(promiseFactory) {
  const start = performance.now();
  try {
    const value = await promiseFactory();
    return { ok: true, value, ms: performance.now() - start };
  } catch (error) {
    return { ok: false, error, ms: performance.now() - start };
  }
}

/** Rejects if `promise` does not settle within ms (a hanging handler must fail the test). */
export function withDeadline(promise, ms, what = 'handler') {
  let t;
  const deadline = new Promise((_, reject) => {
    t = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(t));
}
