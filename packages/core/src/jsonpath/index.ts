export { JsonPath, JsonPathSyntaxError, compileJsonPath } from './compile.js';
export { InvalidPathError, PathNotFound } from './tokens.js';
export { JsonPathModificationError } from './refs.js';
