/** The appliance policy layer: block and allow lists, RPZ, client groups, in front of the resolver. */
export { PolicyEngine, type Decision } from './engine.js';
export { policyHandler } from './handler.js';
export { PolicyStats } from './stats.js';
export { loadPolicy, type LoadedPolicy, type ListReport } from './load.js';
export { parseAdblock, parseDomains, parseHosts, type ListEntry, type ParsedList } from './parse.js';
export { parseRpz, type RpzEntry } from './rpz.js';
export { DomainSet } from './domain-set.js';
export { dns64Handler } from './dns64.js';
