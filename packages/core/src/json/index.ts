export * from './value.js';
export * from './parse.js';
export * from './write.js';
export * from './equals.js';
export { javaDoubleToString, javaNumberToString } from './java-number.js';
