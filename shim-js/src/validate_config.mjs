// Validates a configuration with the module's own rules, so a build, a test or Terraform
// reports exactly the message the function would log at load.
import { createTracer } from './edge_tracer.mjs';

/** @returns {{ok: true} | {ok: false, error: string}} */
export function validateConfig(config) {
  const lines = [];
  const tracer = createTracer(config, { log: (line) => lines.push(line) });
  if (tracer.enabled) return { ok: true };
  return { ok: false, error: tracer.configError ?? lines.join('\n') };
}
