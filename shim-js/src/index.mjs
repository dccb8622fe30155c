// edgetrace Lambda@Edge entry point (handler: index.handler).
//   handler(event, context)        traces with edgetrace.config.json from this directory
//   createHandler(config, hooks?)  a handler for an explicit configuration
//   wrap(userHandler, config?, hooks?)  your own edge function, traced (config: the baked one)
//   createTracer(config, hooks?)   the synchronous per-trigger work, for embedding and benchmarks
//   validateConfig(config)         {ok} or {ok: false, error}: the module's own rules and messages
import { readBakedConfig } from './baked_config.mjs';
import { passThroughResult } from './cloudfront_event.mjs';
import { createTracer, defaultLog, TRACING_DISABLED } from './edge_tracer.mjs';
import { handlerFor, wrapHandler, wrapWithTracer } from './handler.mjs';

export { createHandler } from './handler.mjs';
export { createTracer } from './edge_tracer.mjs';
export { validateConfig } from './validate_config.mjs';

const baked = readBakedConfig();
if ('error' in baked) defaultLog(`edgetrace: ${baked.error}; tracing disabled, requests pass through untouched`);
const bakedConfig = 'config' in baked ? baked.config : TRACING_DISABLED;

// The sandbox's one tracer for the baked configuration, built during Lambda's init phase: the
// module is compiled, configured and warmed before the first request arrives. `handler` and
// every wrap() without a config share it: one module instance, one configure, and an unusable
// configuration reported in one line, however many handlers the user's code builds.
const bakedTracer = createTracer(bakedConfig);

export const handler = 'config' in baked ? handlerFor(bakedTracer) : passThroughHandler();

/**
 * Your own Lambda@Edge handler, traced: `export const handler = wrap(myHandler);`. Its
 * request/response changes are kept; a generated response is traced; a throw is recorded on
 * the span and rethrown unchanged. Without `config`, the baked edgetrace.config.json applies
 * (and when that is unusable, your handler still runs, untraced).
 */
export function wrap(userHandler, config, hooks) {
  if (config !== undefined) return wrapHandler(userHandler, config, hooks);
  // Own hooks mean an own log sink, which the shared tracer cannot have: a tracer of its own
  // for the baked configuration. An unusable baked config disables tracing, never the user's code.
  if (hooks !== undefined) return wrapHandler(userHandler, bakedConfig, hooks);
  return wrapWithTracer(userHandler, bakedTracer);
}

function passThroughHandler() {
  const handler = async (event) => passThroughResult(event);
  handler.stats = () => ({ sampled: 0, exported: 0, dropped: 0, droppedByReason: {} });
  return handler;
}
