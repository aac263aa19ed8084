/**
 * Psoxy's `PathTemplateUtils.asRegex`: an OpenAPI-style template to a Java regex.
 * `{name}` -> `(?<name>[^/]+)`, `{name?}` -> `(?<name>[^/]*)`; the characters
 * `. ^ $ < > * + [ ] ( ) - = ? !` are escaped (so `*` is a literal asterisk); `{ } | \ /` are not.
 */
export function pathTemplateToRegex(template: string): string {
  let s = template.replace(/\{([A-Za-z][A-Za-z0-9]*)\?\}/g, '__OPT_$1__');
  s = s.replace(/[.^$<>*+[\]()\-=?!]/g, (c) => `\\${c}`);
  s = s.replace(/\{([A-Za-z][A-Za-z0-9]*)\}/g, '(?<$1>[^/]+)');
  s = s.replace(/__OPT_([A-Za-z][A-Za-z0-9]*)__/g, '(?<$1>[^/]*)');
  return `^${s}$`;
}
