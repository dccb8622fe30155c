// The Lambda@Edge handler: one function for every trigger, dispatching on
// cf.config.eventType, optionally around the user's own edge function (wrap). Which triggers
// open and close which spans is the configuration's `triggers` (docs/trace-model.md).
import { cloudFrontRecord, FILL_STAMP_HEADER, isGeneratedResponse, isHeaderMap, passThroughResult } from './cloudfront_event.mjs';
import { createTracer, defaultLog } from './edge_tracer.mjs';

/**
 * @param {object} [config]  edgetrace configuration (README "Configuration")
 * @param {import('./edge_tracer.mjs').Hooks} [hooks]
 * @returns {((event: object, context?: object) => Promise<unknown>) & {stats: () => object}}
 */
export function createHandler(config, hooks) {
  return buildHandler(createTracer(config, hooks), hooks?.log ?? defaultLog, undefined);
}

/**
 * Runs the user's own Lambda@Edge handler inside edgetrace, at every trigger: its request
 * and response changes are kept, responses it generates are traced, and what it throws is
 * recorded on the span (ERROR status, `exception` event) and rethrown unchanged.
 * @param {Function} userHandler  `async (event, context)` or `(event, context, callback)`
 * @param {object} [config]
 * @param {import('./edge_tracer.mjs').Hooks} [hooks]
 */
export function wrapHandler(userHandler, config, hooks) {
  if (typeof userHandler !== 'function') {
    throw new TypeError(`edgetrace wrap(userHandler): userHandler must be a function, got ${userHandler === null ? 'null' : typeof userHandler}`);
  }
  return buildHandler(createTracer(config, hooks), hooks?.log ?? defaultLog, userHandler);
}

function buildHandler(tracer, log, user) {
  async function handler(event, context) {
    const eventType = cloudFrontRecord(event)?.config?.eventType;
    switch (eventType) {
      case 'viewer-request':
      case 'origin-request':
        return requestSide(eventType, event, context);
      case 'origin-response':
      case 'viewer-response':
        return responseSide(eventType, event, context);
      default:
        log(`edgetrace: not a Lambda@Edge CloudFront event (eventType ${describe(eventType)}); passed through untouched`);
        return user === undefined ? passThroughResult(event) : callUser(user, event, context);
    }
  }

  async function requestSide(trigger, event, context) {
    const written = tracer.onRequest(trigger, event, context);
    if (user === undefined) return cloudFrontRecord(event).request;
    let result;
    try {
      result = await callUser(user, event, context);
    } catch (error) {
      if (written !== null) await exportSpans(tracer.onResponse(trigger, event, context, { written, threw: true, error }));
      throw error;
    }
    if (written !== null && isGeneratedResponse(result)) {
      await exportSpans(tracer.onResponse(trigger, event, context, { written, generated: true, response: result }));
    }
    return result;
  }

  async function responseSide(trigger, event, context) {
    let result = passThroughResult(event);
    if (user !== undefined) {
      try {
        result = await callUser(user, event, context);
      } catch (error) {
        await exportSpans(tracer.onResponse(trigger, event, context, { threw: true, error }));
        throw error;
      }
    }
    const spans = tracer.onResponse(trigger, event, context, { response: result ?? undefined });
    // The cache-fill stamp is edgetrace's own: viewers never see it. (Only a deployment that
    // traces viewer-response stamps; other deployments leave viewer events untouched.)
    if (trigger === 'viewer-response' && tracer.triggers.has('viewer-response') && isHeaderMap(result?.headers)) {
      delete result.headers[FILL_STAMP_HEADER];
    }
    // Lambda freezes the sandbox once the handler returns, so the export is awaited,
    // bounded by exporter.timeoutMs; it never rejects.
    await exportSpans(spans);
    return result;
  }

  async function exportSpans({ body, spanCount }) {
    if (body !== null) await tracer.exporter.export(body, spanCount);
  }

  handler.stats = () => tracer.stats.snapshot();
  return handler;
}

// Lambda's two handler styles: a promise (or plain value), or a Node-style callback.
function callUser(user, event, context) {
  if (user.length < 3) return user(event, context);
  return new Promise((resolve, reject) => {
    const returned = user(event, context, (error, value) => (error ? reject(error) : resolve(value)));
    if (returned !== null && typeof returned?.then === 'function') returned.then(resolve, reject);
  });
}

function describe(value) {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
}
