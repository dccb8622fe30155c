// Where a cold start goes: one fresh process, each stage of loading and configuring the
// module timed on its own (run it several times; `make cold-stages` runs it five).
//   node tests/bench/cold_stages.mjs [dist/lambda]
import path from 'node:path';
import { fileURLToPath } from 'node:url';

void process.stdout; // Lambda's runtime has stdout set up before any handler loads
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PACKAGE = path.resolve(process.argv[2] ?? path.join(ROOT, 'dist/lambda'));
const marks = [['start', performance.now()]];
const mark = (label) => marks.push([label, performance.now()]);

const { readFileSync } = await import('node:fs');
await import('node:module');
mark('node:fs + node:module');
const bytes = readFileSync(path.join(PACKAGE, 'edgetrace.wasm'));
mark('read edgetrace.wasm');
const module = new WebAssembly.Module(bytes);
mark('compile (validation; functions compile lazily)');
const { WasmTracer, Field } = await import(path.join(ROOT, 'shim-js/src/wasm_tracer.mjs'));
mark('import the shim module');
const wasm = new WasmTracer(module, () => {});
mark('instantiate + _initialize');
wasm.writeFields([Field.configJson], [readFileSync(path.join(PACKAGE, 'edgetrace.config.json'), 'utf8')]);
wasm.configure();
mark('first configure (V8 compiles the config code lazily)');
// With a request id, as every CloudFront event has: its ids derive from it, no CSPRNG call.
wasm.writeFields([Field.traceparent, Field.tracestate, Field.requestId], ['', '', 'cold-stages-probe']);
wasm.onRequest(1, Date.now(), 0);
mark('first origin-request call');

const parts = marks.slice(1).map(([label, t], i) => `${label}: ${(t - marks[i][1]).toFixed(2)} ms`);
console.log(`${parts.join(' | ')} | total ${(marks.at(-1)[1] - marks[0][1]).toFixed(2)} ms`);
