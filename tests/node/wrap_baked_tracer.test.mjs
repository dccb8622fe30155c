// wrap(userHandler) without a config shares the package's baked tracer with `handler`: one
// module instance, one configure and, for an unusable baked config, one "tracing disabled"
// line per sandbox, however many handlers the user's code wraps. Each case imports a copy of
// the package, with the baked config under test, in a fresh process (a sandbox): the package
// builds `handler` at import and logs to stdout.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { PACKAGE_DIR, requirePackage } from './support/package.mjs';

const run = promisify(execFile);
let dir;

before(async () => {
  await requirePackage();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgetrace-baked-'));
});
after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** A copy of the package with `config` (an object, or raw text) as edgetrace.config.json. */
function packageWith(name, config) {
  const target = path.join(dir, name);
  fs.mkdirSync(target);
  for (const file of ['index.mjs', 'edgetrace.wasm', 'package.json']) fs.copyFileSync(path.join(PACKAGE_DIR, file), path.join(target, file));
  fs.writeFileSync(path.join(target, 'edgetrace.config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return target;
}

/**
 * In a fresh process: counts module instances, imports the package, wraps two user handlers,
 * runs one origin-request / origin-response pair through the first; prints a JSON summary as
 * the last stdout line.
 */
async function sandbox(packageDir) {
  const script = `
    let instances = 0;
    const RealInstance = WebAssembly.Instance;
    WebAssembly.Instance = function (module, imports) { instances++; return new RealInstance(module, imports); };
    const pkg = await import(${JSON.stringify(pathToFileURL(path.join(packageDir, 'index.mjs')).href)});
    let calls = 0;
    const user = async (event) => { calls++; const cf = event.Records[0].cf; return cf.response ?? cf.request; };
    const a = pkg.wrap(user);
    const b = pkg.wrap(user);
    const config = { distributionDomainName: 'd.cloudfront.net', distributionId: 'E1', requestId: 'r-' + Date.now() };
    const request = { clientIp: '192.0.2.1', method: 'GET', uri: '/', querystring: '', headers: { host: [{ key: 'Host', value: 'example.com' }] } };
    const forwarded = await a({ Records: [{ cf: { config: { ...config, eventType: 'origin-request' }, request } }] }, { awsRequestId: 'x' });
    await a({ Records: [{ cf: { config: { ...config, eventType: 'origin-response' }, request: forwarded, response: { status: '200', headers: {} } } }] }, { awsRequestId: 'y' });
    console.log(JSON.stringify({ instances, calls, handler: pkg.handler.stats(), a: a.stats(), b: b.stats() }));
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, AWS_REGION: 'eu-central-1' } });
  const lines = stdout.trim().split('\n');
  return { lines: lines.slice(0, -1), summary: JSON.parse(lines.at(-1)) };
}

test('a valid baked config: one module instance for handler and every wrap(), one set of stats', async () => {
  const { lines, summary } = await sandbox(packageWith('valid', { exporter: { mode: 'log' } }));
  assert.equal(summary.instances, 1, 'one module instance per sandbox');
  assert.equal(summary.calls, 2, 'the user ran at both triggers');
  assert.deepEqual(summary.a, { sampled: 1, exported: 1, dropped: 0, droppedByReason: {} });
  assert.deepEqual(summary.handler, summary.a, 'handler and wrap() share the tracer');
  assert.deepEqual(summary.b, summary.a);
  assert.equal(lines.filter((l) => l.startsWith('{"resourceSpans"')).length, 1, 'the span, logged once');
});

test('an invalid baked config: "tracing disabled" logged once per sandbox, the wrapped handlers still run', async () => {
  const { lines, summary } = await sandbox(packageWith('invalid', { exporter: { mode: 'log', timeoutMs: 9000 } }));
  const disabled = lines.filter((l) => l.includes('tracing disabled'));
  assert.deepEqual(disabled, ['edgetrace: tracing disabled, all requests pass through untouched: invalid configuration: exporter.timeoutMs: must be an integer from 1 to 4000, got 9000']);
  assert.equal(summary.instances, 1, 'the one baked attempt');
  assert.equal(summary.calls, 2, 'the user ran, untraced');
  assert.deepEqual(summary.a, { sampled: 0, exported: 0, dropped: 0, droppedByReason: {} });
});

test('an unreadable baked config file: one line, no module instance, the wrapped handlers still run', async () => {
  const { lines, summary } = await sandbox(packageWith('unreadable', '{ not json'));
  assert.equal(lines.filter((l) => l.includes('tracing disabled')).length, 1, lines.join('\n'));
  assert.equal(summary.instances, 0);
  assert.equal(summary.calls, 2);
});
