'use strict';
// The three implementations under one synchronous interface, for bench.mjs and its child
// processes:  load(name) -> { originRequest(event) -> request, originResponse(event) -> body|null }
// Peers come from the otel-js-edge copy under build/bench/peers; edgetrace from dist/lambda
// through createTracer (the synchronous part of the deployed handler; the async handler
// only adds the awaited export, which the peers do not perform either).
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const ROOT = path.resolve(__dirname, '../..');
const PEERS = path.join(ROOT, 'build/bench/peers');
const PACKAGE = process.env.EDGETRACE_PACKAGE_DIR || path.join(ROOT, 'dist/lambda');
const IMPLS = ['edgetrace', 'minimal-js', 'otel-sdk'];

function peerPath(name, bundled) {
  return bundled ? path.join(PEERS, 'dist', `${name}.bundle.cjs`) : path.join(PEERS, name, 'handler.cjs');
}

const ALL_FOUR = ['viewer-request', 'origin-request', 'origin-response', 'viewer-response'];

/** @returns {Promise<{originRequest: Function, originResponse: Function, viewerRequest: Function, viewerResponse: Function}>} */
async function load(name, { ratio = 1.0, bundled = true } = {}) {
  if (name === 'edgetrace') {
    const mod = await import(pathToFileURL(path.join(PACKAGE, 'index.mjs')).href);
    const tracer = mod.createTracer(
      { sampling: { ratio }, propagation: { trustIncoming: true }, exporter: { mode: 'log' } },
      { log() {} },
    );
    // All four triggers deployed: viewer-request opens the root, viewer-response closes it.
    const viewer = mod.createTracer(
      { triggers: ALL_FOUR, sampling: { ratio }, propagation: { trust: 'honor' }, exporter: { mode: 'log' } },
      { log() {} },
    );
    const context = { awsRequestId: '8f5bc1a2-4d3e-4f6a-9b7c-0d1e2f3a4b5c' };
    return {
      originRequest: (event) => tracer.originRequest(event, context),
      originResponse: (event) => tracer.originResponse(event, context).body,
      viewerRequest: (event) => {
        viewer.onRequest('viewer-request', event, context);
        return event.Records[0].cf.request;
      },
      viewerResponse: (event) => viewer.onResponse('viewer-response', event, context).body,
    };
  }
  const mod = require(peerPath(name, bundled));
  const handlers = mod.createHandlers({ samplingRatio: ratio });
  // The peers trace the origin pair only: their work at the trigger that opens (closes) the
  // root span is what edgetrace's viewer-request (viewer-response) is compared with.
  return {
    originRequest: handlers.originRequest,
    originResponse: handlers.originResponse,
    viewerRequest: handlers.originRequest,
    viewerResponse: handlers.originResponse,
  };
}

module.exports = { ROOT, PEERS, PACKAGE, IMPLS, load, peerPath };
