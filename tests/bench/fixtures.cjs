'use strict';
// Bench events. Requests are the peers' fixtures as they are. Response events must carry
// the request headers each implementation's own origin-request injected (the peers use
// x-edge-* headers, edgetrace its x-edgetrace-ctx), so each implementation gets response
// events derived from its own origin-request output on the same request.
const fs = require('node:fs');
const path = require('node:path');
const { PEERS } = require('./impls.cjs');

const read = (name) => fs.readFileSync(path.join(PEERS, 'fixtures', name + '.json'), 'utf8');

/** Peers' response fixtures, or for edgetrace the same responses re-headered by its own request side. */
function responseFixture(impl, name, originRequest) {
  const src = read(name);
  if (impl !== 'edgetrace') return src;
  const event = JSON.parse(src);
  const cf = event.Records[0].cf;
  const requestFixture = name === 'origin-response-root' ? 'origin-request-root' : 'origin-request';
  const req = JSON.parse(read(requestFixture));
  if (name === 'origin-response-unsampled') {
    const tp = req.Records[0].cf.request.headers.traceparent;
    tp[0].value = tp[0].value.replace(/-01$/, '-00');
  }
  cf.request.headers = originRequest(req).headers;
  return JSON.stringify(event);
}

/** A request fixture as CloudFront delivers it at viewer-request. */
function viewerRequestFixture(name) {
  const event = JSON.parse(read(name));
  event.Records[0].cf.config.eventType = 'viewer-request';
  return JSON.stringify(event);
}

/** A response fixture at viewer-response, over the request as the implementation's own
 * viewer-request left it. */
function viewerResponseFixture(impl, name, viewerRequest) {
  const event = JSON.parse(responseFixture(impl, name, (req) => req.Records[0].cf.request));
  const cf = event.Records[0].cf;
  cf.config.eventType = 'viewer-response';
  const req = JSON.parse(impl === 'edgetrace' ? viewerRequestFixture('origin-request') : read('origin-request'));
  cf.request.headers = viewerRequest(req).headers;
  return JSON.stringify(event);
}

module.exports = { read, responseFixture, viewerRequestFixture, viewerResponseFixture };
