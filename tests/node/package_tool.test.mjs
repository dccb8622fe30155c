// shim-js/tools/package.mjs: the same sources and config give the same zip bytes; a bad
// config fails the build with the message the function itself would log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { PACKAGE_DIR } from './support/package.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TOOL = path.join(ROOT, 'shim-js/tools/package.mjs');

function runPackager(dir, config, out) {
  const configPath = path.join(dir, 'config.json');
  writeFileSync(configPath, typeof config === 'string' ? config : JSON.stringify(config));
  return spawnSync(process.execPath, [TOOL, '--config', configPath, '--out', out, '--lambda-dir', PACKAGE_DIR], { encoding: 'utf8' });
}

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Entry names and contents of a zip written by reproducible_zip.mjs (stored order). */
function unzip(buf) {
  const files = {};
  let off = 0;
  while (buf.readUInt32LE(off) === 0x04034b50) {
    const size = buf.readUInt32LE(off + 18);
    const nameLen = buf.readUInt16LE(off + 26);
    const name = buf.toString('utf8', off + 30, off + 30 + nameLen);
    const data = buf.subarray(off + 30 + nameLen, off + 30 + nameLen + size);
    files[name] = inflateRawSync(data);
    off += 30 + nameLen + size;
  }
  return files;
}

test('same sources and config give byte-identical zips', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'edgetrace-pkg-'));
  try {
    const config = { service: { name: 'shop-edge' }, exporter: { mode: 'otlp-http', endpoint: 'https://collector.example:4318' } };
    const a = runPackager(dir, config, path.join(dir, 'a.zip'));
    assert.equal(a.status, 0, a.stderr);
    const b = runPackager(dir, config, path.join(dir, 'b.zip'));
    assert.equal(b.status, 0, b.stderr);
    assert.equal(sha256(path.join(dir, 'a.zip')), sha256(path.join(dir, 'b.zip')));
    assert.match(a.stdout, /bytes \(\d+\.\d% of the 1 MB viewer-trigger limit/);

    const files = unzip(readFileSync(path.join(dir, 'a.zip')));
    assert.deepEqual(Object.keys(files).sort(), ['edgetrace.config.json', 'edgetrace.wasm', 'index.mjs', 'package.json']);
    assert.deepEqual(JSON.parse(files['edgetrace.config.json']), config, 'the given config is baked in');

    const other = runPackager(dir, { ...config, sampling: { ratio: 0.5 } }, path.join(dir, 'c.zip'));
    assert.equal(other.status, 0, other.stderr);
    assert.notEqual(sha256(path.join(dir, 'c.zip')), sha256(path.join(dir, 'a.zip')), 'a config change changes the hash');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad config fails the build with the module message naming the key, and writes nothing', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'edgetrace-pkg-'));
  try {
    const out = path.join(dir, 'bad.zip');
    const r = runPackager(dir, { exporter: { mode: 'otlp-http', endpoint: 'https://c.example', timeoutMs: 9000 } }, out);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /invalid config: exporter\.timeoutMs: must be an integer from 1 to 4000, got 9000/);
    assert.throws(() => readFileSync(out), /ENOENT/);

    const { validateConfig } = await import(path.join(PACKAGE_DIR, 'index.mjs'));
    const verdict = validateConfig({ exporter: { mode: 'otlp-http', endpoint: 'https://c.example', timeoutMs: 9000 } });
    assert.equal(verdict.ok, false);
    assert.ok(r.stderr.includes(verdict.error), 'build-time and load-time messages are the same');

    const notJson = runPackager(dir, '{"service": ', out);
    assert.notEqual(notJson.status, 0);
    assert.match(notJson.stderr, /config is not valid JSON/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
