// The built edgetrace package as Lambda@Edge functions: one createHandler(config, {log})
// instance per trigger, as separate Lambda sandboxes would be (no memory shared between the
// triggers of one request), and their span counters summed.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TRIGGERS } from './header_rules.mjs';
import { applyLambdaEnv } from './lambda_runner.mjs';

/** @typedef {import('./header_rules.mjs').Trigger} Trigger */
/** @typedef {{sampled: number, exported: number, dropped: number, droppedByReason: Record<string, number>}} SpanStats */

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const DEFAULT_PACKAGE_DIR = path.join(REPO_ROOT, 'dist/lambda');
/** Where the package is deployed by default (terraform/variables.tf `triggers`). */
export const DEFAULT_TRIGGERS = /** @type {Trigger[]} */ (['origin-request', 'origin-response']);

/**
 * Imports dist/lambda/index.mjs (or another package directory).
 * @returns {Promise<{createHandler: Function, validateConfig: Function}>}
 */
export async function loadPackage(packageDir = DEFAULT_PACKAGE_DIR) {
  const entry = path.join(path.resolve(packageDir), 'index.mjs');
  if (!fs.existsSync(entry)) throw new Error(`edgetrace package not found at ${entry}: run \`make package\` first (or pass --package DIR)`);
  applyLambdaEnv(); // before import: the package reads the Lambda variables at init
  const mod = await import(pathToFileURL(entry).href);
  if (typeof mod.createHandler !== 'function') throw new Error(`${entry} does not export createHandler(config, hooks)`);
  return mod;
}

/** "all", or a comma-separated list of triggers. @returns {Trigger[]} */
export function parseTriggers(text) {
  if (!text) return DEFAULT_TRIGGERS;
  if (text === 'all') return [...TRIGGERS];
  const list = text.split(',').map((t) => t.trim()).filter(Boolean);
  for (const t of list) if (!TRIGGERS.includes(/** @type {Trigger} */ (t))) throw new Error(`unknown trigger '${t}' (one of ${TRIGGERS.join(', ')}, or all)`);
  const set = new Set(list);
  const pair = (a, b) => set.size === 2 && set.has(a) && set.has(b);
  if (!(set.size === 4 || pair('origin-request', 'origin-response') || pair('viewer-request', 'viewer-response'))) {
    throw new Error(`--triggers ${text}: a trace needs the trigger that opens its span and the one that closes it: give origin-request,origin-response, viewer-request,viewer-response, or all`);
  }
  return /** @type {Trigger[]} */ (list);
}

/**
 * One handler per trigger, all with the same configuration.
 * @param {{createHandler: Function}} pkg
 * @param {object} config  edgetrace configuration (README "Configuration")
 * @param {Trigger[]} triggers
 * @param {(trigger: Trigger, line: string) => void} log  every line the package logs
 */
export function createEdgeFunctions(pkg, config, triggers, log) {
  /** @type {Partial<Record<Trigger, Function & {stats: () => SpanStats}>>} */
  const functions = {};
  // The associations are baked into the configuration, as terraform/ does.
  const deployed = { ...config, triggers: [...triggers] };
  for (const trigger of triggers) functions[trigger] = pkg.createHandler(deployed, { log: (line) => log(trigger, String(line)) });
  return {
    functions,
    /** Span counters summed over every handler instance. @returns {SpanStats} */
    stats() {
      return sumStats(Object.values(functions).map((h) => h.stats()));
    },
  };
}

/** @param {SpanStats[]} list @returns {SpanStats} */
export function sumStats(list) {
  const total = { sampled: 0, exported: 0, dropped: 0, droppedByReason: {} };
  for (const s of list) {
    total.sampled += s.sampled;
    total.exported += s.exported;
    total.dropped += s.dropped;
    for (const [reason, n] of Object.entries(s.droppedByReason)) total.droppedByReason[reason] = (total.droppedByReason[reason] ?? 0) + n;
  }
  return total;
}
