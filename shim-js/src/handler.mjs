// The Lambda@Edge handler: one function for every trigger, dispatching on
// cf.config.eventType. Triggers edgetrace does not trace pass through untouched.
import { cloudFrontRecord, passThroughResult } from './cloudfront_event.mjs';
import { createTracer, defaultLog } from './edge_tracer.mjs';

/**
 * @param {object} [config]  edgetrace configuration (README "Configuration")
 * @param {import('./edge_tracer.mjs').Hooks} [hooks]
 * @returns {((event: object, context?: object) => Promise<unknown>) & {stats: () => object}}
 */
export function createHandler(config, hooks) {
  const tracer = createTracer(config, hooks);

  const log = hooks?.log ?? defaultLog;

  async function handler(event, context) {
    const eventType = cloudFrontRecord(event)?.config?.eventType;
    switch (eventType) {
      case 'origin-request':
        return tracer.originRequest(event, context);
      case 'origin-response': {
        const { response, body } = tracer.originResponse(event, context);
        // Lambda freezes the sandbox once the handler returns, so the export is awaited,
        // bounded by exporter.timeoutMs; it never rejects.
        if (body !== null) await tracer.exporter.export(body);
        return response;
      }
      case 'viewer-request':
      case 'viewer-response':
        return passThroughResult(event);
      default:
        log(`edgetrace: not a Lambda@Edge CloudFront event (eventType ${describe(eventType)}); passed through untouched`);
        return passThroughResult(event);
    }
  }
  handler.stats = () => tracer.stats.snapshot();
  return handler;
}

function describe(value) {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
}
