#!/usr/bin/env node
// Bakes a configuration into the Lambda@Edge package and writes a reproducible zip.
//   node shim-js/tools/package.mjs --config edgetrace.config.json --out dist/edgetrace-lambda.zip
//        [--lambda-dir dist/lambda]
// The config is validated by the module itself (same rules and messages as at load). The zip
// size is checked against the 1 MB viewer-trigger limit.
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { reproducibleZip } from './reproducible_zip.mjs';

const VIEWER_TRIGGER_LIMIT = 1024 * 1024;
const SIZE_TARGET = 64 * 1024;
const CONFIG_FILE = 'edgetrace.config.json';

const { values } = parseArgs({
  options: {
    config: { type: 'string' },
    out: { type: 'string', default: 'dist/edgetrace-lambda.zip' },
    'lambda-dir': { type: 'string', default: 'dist/lambda' },
  },
});
const lambdaDir = path.resolve(values['lambda-dir']);

function fail(message) {
  process.stderr.write(`edgetrace package: ${message}\n`);
  process.exit(1);
}

let configText;
try {
  configText = readFileSync(values.config ?? path.join(lambdaDir, CONFIG_FILE), 'utf8');
} catch (err) {
  fail(`cannot read the config: ${err.message}`);
}
let config;
try {
  config = JSON.parse(configText);
} catch (err) {
  fail(`config is not valid JSON: ${err.message}`);
}
const { validateConfig } = await import(pathToFileURL(path.join(lambdaDir, 'index.mjs')).href);
const verdict = validateConfig(config);
if (!verdict.ok) fail(`invalid config: ${verdict.error}`);

const files = readdirSync(lambdaDir)
  .filter((name) => name !== CONFIG_FILE)
  .map((name) => ({ name, data: readFileSync(path.join(lambdaDir, name)) }));
files.push({ name: CONFIG_FILE, data: Buffer.from(JSON.stringify(config, null, 2) + '\n') });
const zip = reproducibleZip(files);
mkdirSync(path.dirname(path.resolve(values.out)), { recursive: true });
writeFileSync(values.out, zip);

const pct = ((zip.length / VIEWER_TRIGGER_LIMIT) * 100).toFixed(1);
console.log(`${values.out}: ${zip.length} bytes (${pct}% of the 1 MB viewer-trigger limit; target ${SIZE_TARGET} bytes)`);
if (zip.length > VIEWER_TRIGGER_LIMIT) fail('the zip exceeds the 1 MB Lambda@Edge viewer-trigger limit');
