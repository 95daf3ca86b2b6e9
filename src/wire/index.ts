export * from './message.js';
export * from './peek.js';
export * from './framing.js';
export * from './edns.js';
export * from './name.js';
export * from './presentation.js';
export * from './compress.js';
export * from './rrsets.js';
export { typeMnemonic, typeOfMnemonic, wireType } from './rr-types.js';
