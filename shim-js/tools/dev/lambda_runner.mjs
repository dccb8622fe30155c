// Invokes a Lambda@Edge handler the way the Lambda service does for CloudFront: the event
// arrives as a fresh JSON copy, the handler gets a context object, its result goes back through
// JSON, and an invocation that outlives the trigger's time limit is abandoned (a real sandbox
// is frozen or killed; here the promise is left to settle unobserved).
//
// Outcomes map to what CloudFront tells the viewer (CloudFront Developer Guide, "Testing and
// debugging Lambda@Edge functions" and the 5xx troubleshooting pages):
//   threw / rejected / callback(error) / result not JSON-serialisable -> execution error: 503
//   ran past the time limit                                          -> 503 as well: the AWS
//     "Lambda limit exceeded" page lists the function timeout among the 503 causes, and real
//     timeouts show the execution-error page (cognito-at-edge issue #86); we tag it
//     LambdaExecutionError.
import crypto from 'node:crypto';

/** @typedef {import('./header_rules.mjs').Trigger} Trigger */
/** @typedef {(event: object, context: object, callback?: Function) => unknown} LambdaHandler */
/**
 * @typedef {{ok: true, value: unknown, ms: number}
 *   | {ok: false, kind: 'error' | 'timeout', message: string, ms: number}} Invocation
 */

/** Lambda@Edge quotas: viewer triggers 5 s, origin triggers 30 s. */
export const TRIGGER_TIMEOUT_MS = Object.freeze({
  'viewer-request': 5000,
  'origin-request': 30000,
  'origin-response': 30000,
  'viewer-response': 5000,
});

/** What Lambda sets in a Lambda@Edge replica (reserved variables only); kept if already set. */
export const LAMBDA_ENV = Object.freeze({
  AWS_REGION: 'us-east-1',
  AWS_LAMBDA_FUNCTION_NAME: 'us-east-1.edgetrace',
  AWS_LAMBDA_FUNCTION_VERSION: '1',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
});

/** Sets the Lambda reserved variables the package reads at init (before createHandler). */
export function applyLambdaEnv(env = process.env) {
  for (const [k, v] of Object.entries(LAMBDA_ENV)) env[k] ??= v;
}

// One log stream per sandbox: the emulator's sandboxes live as long as its process.
const LOG_STREAM_SUFFIX = crypto.randomBytes(16).toString('hex');

/** A Lambda context for one invocation. */
export function lambdaContext(deadlineMs, env = process.env) {
  const functionName = env.AWS_LAMBDA_FUNCTION_NAME ?? LAMBDA_ENV.AWS_LAMBDA_FUNCTION_NAME;
  const version = env.AWS_LAMBDA_FUNCTION_VERSION ?? LAMBDA_ENV.AWS_LAMBDA_FUNCTION_VERSION;
  return {
    awsRequestId: crypto.randomUUID(),
    functionName,
    functionVersion: version,
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName.replace(/^us-east-1\./, '')}:${version}`,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '128',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `[${version}]${LOG_STREAM_SUFFIX}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
  };
}

/** Runs the handler, supporting both async handlers and (event, context, callback) ones. */
function run(handler, event, context) {
  return new Promise((resolve, reject) => {
    const callback = (error, value) => (error ? reject(error) : resolve(value));
    const returned = handler.length >= 3 ? handler(event, context, callback) : handler(event, context);
    if (returned && typeof returned.then === 'function') returned.then(resolve, reject);
    else if (handler.length < 3) resolve(returned);
  });
}

/**
 * @param {LambdaHandler} handler
 * @param {object} event  kept unchanged: the handler gets a JSON copy
 * @param {number} timeoutMs
 * @returns {Promise<Invocation>}
 */
export async function invoke(handler, event, timeoutMs) {
  const start = performance.now();
  const ms = () => performance.now() - start;
  const context = lambdaContext(Date.now() + timeoutMs);
  let timer;
  const timedOut = new Promise((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const settled = await Promise.race([
      run(handler, JSON.parse(JSON.stringify(event)), context).then((value) => ({ value })),
      timedOut,
    ]);
    if (settled === 'timeout') return { ok: false, kind: 'timeout', message: `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`, ms: ms() };
    // Lambda serialises the result; what does not survive JSON does not reach CloudFront.
    const value = settled.value === undefined ? null : JSON.parse(JSON.stringify(settled.value));
    return { ok: true, value, ms: ms() };
  } catch (error) {
    return { ok: false, kind: 'error', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error), ms: ms() };
  } finally {
    clearTimeout(timer);
  }
}
