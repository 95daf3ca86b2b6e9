export * from './clock.js';
export * from './random.js';
export * from './errors.js';
export * from './secret-file.js';
export * from './abort.js';
export * from './shared-flights.js';
export * from './circuit-breaker.js';
export * from './text-lines.js';
