// The Lambda@Edge handler: one function for every trigger, dispatching on
// cf.config.eventType, optionally around the user's own edge function (wrap). Which triggers
// open and close which spans is the configuration's `triggers` (docs/trace-model.md).
//
// Every step of edgetrace's own runs inside try and cannot fail the request; the user's call
// alone is outside, so what the user throws (or rejects with) propagates as the same object.
import { cloudFrontRecord, FILL_STAMP_HEADER, isGeneratedResponse, isHeaderMap, passThroughResult } from './cloudfront_event.mjs';
import { createTracer, describeThrown } from './edge_tracer.mjs';

/**
 * @param {object} [config]  edgetrace configuration (README "Configuration")
 * @param {import('./edge_tracer.mjs').Hooks} [hooks]
 * @returns {((event: object, context?: object) => Promise<unknown>) & {stats: () => object}}
 */
export function createHandler(config, hooks) {
  return handlerFor(createTracer(config, hooks));
}

/**
 * The handler over an existing tracer (the package's baked one, shared by every handler of
 * the sandbox).
 * @param {ReturnType<typeof createTracer>} tracer
 */
export function handlerFor(tracer) {
  return buildHandler(tracer, undefined);
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
  checkUserHandler(userHandler);
  return buildHandler(createTracer(config, hooks), userHandler);
}

/**
 * wrapHandler over an existing tracer: wrap() without a config shares the baked one, so a
 * sandbox holds one module instance and reports an unusable config once.
 * @param {Function} userHandler
 * @param {ReturnType<typeof createTracer>} tracer
 */
export function wrapWithTracer(userHandler, tracer) {
  checkUserHandler(userHandler);
  return buildHandler(tracer, userHandler);
}

function checkUserHandler(userHandler) {
  if (typeof userHandler !== 'function') {
    throw new TypeError(`edgetrace wrap(userHandler): userHandler must be a function, got ${userHandler === null ? 'null' : typeof userHandler}`);
  }
}

function buildHandler(tracer, user) {
  const log = tracer.log;

  async function handler(event, context) {
    let eventType;
    try {
      eventType = cloudFrontRecord(event)?.config?.eventType;
    } catch (err) {
      log(`edgetrace: event unreadable (${describeThrown(err)}); passed through untouched`);
      return user === undefined ? passThroughResult(event) : callUser(user, event, context);
    }
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
    // onRequest / onResponse never throw: they log and leave the event as it is.
    const written = tracer.onRequest(trigger, event, context);
    if (user === undefined) return passThroughResult(event);
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
    let result;
    if (user === undefined) {
      result = passThroughResult(event);
    } else {
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
    if (trigger === 'viewer-response' && tracer.triggers.has('viewer-response')) result = withoutFillStamp(result);
    // Lambda freezes the sandbox once the handler returns, so the export is awaited,
    // bounded by exporter.timeoutMs.
    await exportSpans(spans);
    return result;
  }

  /**
   * Exports a closed trigger's body. The exporter never rejects; should it all the same, the
   * spans are counted as dropped, and the request goes on.
   */
  async function exportSpans({ body, spanCount }) {
    if (body === null) return;
    try {
      await tracer.exporter.export(body, spanCount);
    } catch (err) {
      try {
        tracer.stats.recordDropped('export_failed', `export failed: ${describeThrown(err)}`, spanCount);
      } catch {
        // The log hook itself threw: the drop is counted, the request goes on.
      }
    }
  }

  handler.stats = () => tracer.stats.snapshot();
  return handler;
}

/**
 * The response without x-edgetrace-fill. A response that refuses the change (a frozen object
 * returned by wrapped code) is returned as a copy without it: CloudFront reads only its own
 * enumerable properties. One whose headers cannot even be read (a getter that throws) is
 * returned as it is: CloudFront cannot read it either, and onResponse has said so already.
 */
function withoutFillStamp(response) {
  try {
    const headers = response?.headers;
    if (!isHeaderMap(headers) || headers[FILL_STAMP_HEADER] === undefined) return response;
    try {
      delete headers[FILL_STAMP_HEADER];
      return response;
    } catch {
      const copy = { ...response, headers: { ...headers } };
      delete copy.headers[FILL_STAMP_HEADER];
      return copy;
    }
  } catch {
    return response;
  }
}

/**
 * Calls the user's handler as the Lambda Node.js runtime does. It always passes a callback
 * (handlers may declare it with a default, `(event, context, callback = noop)`, or read
 * `arguments[2]`, so the declared arity says nothing) and uses the returned promise when there
 * is one; the first settlement wins. A plain returned value answers too, for handlers that
 * return synchronously, unless the handler declares the callback: the return value of a
 * callback-style handler is not its answer (`(e, c, cb) => setTimeout(...)` returns a timer).
 * A callback error (anything but undefined and null, as Lambda decides) rejects with that same
 * object; so does a synchronous throw.
 */
function callUser(user, event, context) {
  return new Promise((resolve, reject) => {
    const callback = (error, value) => (error === undefined || error === null ? resolve(value) : reject(error));
    const returned = user(event, context, callback);
    if (returned !== null && typeof returned?.then === 'function') returned.then(resolve, reject);
    else if (returned !== undefined && user.length < 3) resolve(returned);
  });
}

function describe(value) {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
}
