/** The control channel: a local socket speaking JSON lines, its server side and its client side. */
export * from './types.js';
export { handleControlRequest, startControlServer, type ControlServer, type ControlServerOptions } from './server.js';
export { controlRequest, describeTarget, ControlError } from './client.js';
export * from './report.js';
export { controlTarget } from './target.js';
