export * from './object.js';
export * from './resources.js';
