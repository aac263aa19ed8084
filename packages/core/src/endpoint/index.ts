export { pathTemplateToRegex } from './path-template.js';
export { parseQuery, splitUrl, formDecode, type QueryParam } from './query.js';
export { validateParameter } from './params.js';
export { checkRequestBody, validateBody, UnsupportedBodyTypeError } from './request-body.js';
