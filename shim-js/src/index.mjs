// edgetrace Lambda@Edge entry point (handler: index.handler).
//   handler(event, context)        traces with edgetrace.config.json from this directory
//   createHandler(config, hooks?)  a handler for an explicit configuration
//   createTracer(config, hooks?)   the synchronous per-trigger work, for embedding and benchmarks
//   validateConfig(config)         {ok} or {ok: false, error}: the module's own rules and messages
import { readBakedConfig } from './baked_config.mjs';
import { passThroughResult } from './cloudfront_event.mjs';
import { defaultLog } from './edge_tracer.mjs';
import { createHandler } from './handler.mjs';

export { createHandler } from './handler.mjs';
export { createTracer } from './edge_tracer.mjs';
export { validateConfig } from './validate_config.mjs';

const baked = readBakedConfig();
if ('error' in baked) defaultLog(`edgetrace: ${baked.error}; tracing disabled, requests pass through untouched`);

// Built during Lambda's init phase: the module is compiled, configured and warmed before the
// first request arrives.
export const handler = 'config' in baked ? createHandler(baked.config) : passThroughHandler();

function passThroughHandler() {
  const handler = async (event) => passThroughResult(event);
  handler.stats = () => ({ sampled: 0, exported: 0, dropped: 0, droppedByReason: {} });
  return handler;
}
