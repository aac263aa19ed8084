export * from './types.js';
export * from './static.js';
export * from './token-manager.js';
export * from './oauth2.js';
