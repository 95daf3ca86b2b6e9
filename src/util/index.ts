export * from './clock.js';
export * from './random.js';
export * from './errors.js';
export * from './secret-file.js';
