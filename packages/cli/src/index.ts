/**
 * The `psoxy` CLI. Commands live under `./commands`; this module exposes the exit codes.
 * @module
 */
export { EXIT } from './lib/errors.js';
