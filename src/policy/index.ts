export { dns64Handler } from './dns64.js';
