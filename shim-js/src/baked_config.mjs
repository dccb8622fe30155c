// Lambda@Edge has no environment variables: the configuration is a file baked into the
// package next to index.mjs.
import { readFileSync } from 'node:fs';

export const CONFIG_FILE = 'edgetrace.config.json';

/** @returns {{config: object} | {error: string}} */
export function readBakedConfig(dir = new URL('.', import.meta.url)) {
  const url = new URL(CONFIG_FILE, dir);
  let text;
  try {
    text = readFileSync(url, 'utf8');
  } catch (err) {
    return { error: `cannot read ${CONFIG_FILE}: ${err.code ?? err.message}` };
  }
  try {
    return { config: JSON.parse(text) };
  } catch (err) {
    return { error: `${CONFIG_FILE} is not valid JSON: ${err.message}` };
  }
}
