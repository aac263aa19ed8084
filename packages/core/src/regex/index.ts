export { JavaRegexError, translateJavaRegex, type JavaRegexFlags, type TranslatedRegex } from './java-regex.js';
export { JavaPattern, javaPattern, type JavaMatch } from './pattern.js';
export { isBlank, isJavaWhitespace, javaTrim, javaReplaceLiteral } from './strings.js';
