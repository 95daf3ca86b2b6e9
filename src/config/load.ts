/**
 * Reads a YAML configuration file and validates it (validate.ts). A file that cannot be read or
 * parsed, or does not fit the schema, throws one ConfigError naming the file, the key and what is
 * expected: start-up stops there, never half-configured.
 */
import { readFileSync } from 'node:fs';
import { parse, YAMLParseError } from 'yaml';
import { ConfigError, errorMessage } from '../util/index.js';
import type { Config } from './schema.js';
import { validateConfig } from './validate.js';

/** Parses YAML text (duplicate keys are errors) and validates it; `file` names the source in errors. */
export function parseConfig(text: string, file: string): Config {
  let doc: unknown;
  try {
    doc = parse(text, { uniqueKeys: true, prettyErrors: true });
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const where = err.linePos ? `line ${err.linePos[0].line}` : '(document)';
      throw new ConfigError(file, where, `valid YAML (${err.message.split('\n')[0].replace(/ at line \d+, column \d+:$/, '')})`);
    }
    throw new ConfigError(file, '(document)', `valid YAML (${errorMessage(err)})`);
  }
  return validateConfig(doc, file);
}

/** Reads and validates the configuration file at `path`. */
export function loadConfig(path: string): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, '(file)', `a readable file (${errorMessage(err)})`);
  }
  return parseConfig(text, path);
}
