export * from './types.js';
export { startServer, type StartServerOptions, type RunningServer, type BoundSocket } from './server.js';
export { createDispatcher, type Dispatcher, type DispatchOptions, type ServerStats } from './dispatch.js';
export { AccessControl } from './acl.js';
export { LocalZones } from './local-zones.js';
export { chainHandlers } from './handlers.js';
export { MicroCache, fastKey, type FastKey } from './microcache.js';
export { checkRequest, type RequestVerdict, type CheckedQuery } from './request.js';
export { shapeResponse, sizeLimit, type ShapeContext } from './response.js';
