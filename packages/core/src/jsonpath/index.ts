export { JsonPath, JsonPathSyntaxError, compileJsonPath } from './compile.js';
export { InvalidPathError, PathNotFound } from './tokens.js';
export { JsonPathModificationError, type PathRef } from './refs.js';
