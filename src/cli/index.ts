/** The `ward` command line: argument parsing and the control commands' client side and output. */
export * from './args.js';
export { runControlCommand } from './control-command.js';
