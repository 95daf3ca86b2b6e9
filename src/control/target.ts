/** Where the control channel of a config listens: control.listen with its token, else the Unix socket. */
import { join } from 'node:path';
import type { Config } from '../config/index.js';
import { readSecretFile } from '../util/index.js';
import type { ControlTarget } from './types.js';

/** `createToken`: the server side makes the token file when absent; the CLI only reads it. */
export function controlTarget(config: Config, createToken: boolean): ControlTarget {
  const c = config.control;
  if (c.listen) return { address: c.listen.address, port: c.listen.port, token: readSecretFile(c.token_file!, 'control.token_file', createToken) };
  return { socket: c.socket ?? join(config.server.state_dir, 'control.sock') };
}
