import { CST, Parser } from 'yaml';

/**
 * Re-indents the continuation lines of quoted scalars that YAML 1.2 refuses as under-indented.
 *
 * Psoxy's rule files are written by Jackson's YAML emitter (SnakeYAML), which folds a long
 * double-quoted string with an escaped line break and starts the next line at a smaller
 * indentation than the string's parent (`- "$.a['x',\` then `      \ 'y']"`). SnakeYAML reads that
 * back, and so Psoxy loads such files; the `yaml` library follows the spec and stops the string
 * at the under-indented line. Leading white space of a quoted scalar's continuation line is not
 * part of its value (flow folding drops it), so indenting those lines to the opening quote's
 * column changes no value: it only makes the text valid YAML.
 *
 * Only strings the parser itself reports as cut off are touched, one at a time (a cut string
 * leaves the rest of the document mis-read). Returns the text unchanged when there is nothing to
 * re-indent, or when a string has no closing quote at all (the parser's error then stands).
 */
export function indentQuotedContinuations(text: string): string {
  let current = text;
  // each round closes one string; a file cannot hold more strings than characters
  for (let round = 0; round < text.length; round++) {
    const cut = firstCutQuotedScalar(current);
    if (cut === undefined) return current;
    const fixed = reindent(current, cut.offset, cut.indent);
    if (fixed === undefined || fixed === current) return current;
    current = fixed;
  }
  return current;
}

interface CutScalar {
  offset: number;
  /** The indentation its continuation lines must exceed. */
  indent: number;
}

/** The first quoted scalar whose token ends before its closing quote. */
function firstCutQuotedScalar(text: string): CutScalar | undefined {
  let found: CutScalar | undefined;
  for (const token of new Parser().parse(text)) {
    if (found) break;
    // comments, directives and stray tokens between documents hold no scalars
    if (token.type !== 'document') continue;
    CST.visit(token, (item) => {
      for (const node of [item.key, item.value]) {
        if (node && (node.type === 'double-quoted-scalar' || node.type === 'single-quoted-scalar') && !isClosed(node.source)) {
          found = { offset: node.offset, indent: node.indent };
          return CST.visit.BREAK;
        }
      }
      return undefined;
    });
  }
  return found;
}

/** Whether a quoted scalar's source ends with its (unescaped) closing quote. */
function isClosed(source: string): boolean {
  const end = closingQuote(source, 0);
  return end === source.length - 1;
}

/** Index of the quote that closes the quoted scalar opening at `start`, or -1. */
function closingQuote(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (quote === '"' && c === '\\') {
      i++;
      continue;
    }
    if (c !== quote) continue;
    // '' is an escaped quote in a single-quoted scalar
    if (quote === "'" && text[i + 1] === "'") {
      i++;
      continue;
    }
    return i;
  }
  return -1;
}

/** Indents each line of the scalar opening at `start` that is not deeper than `indent`. */
function reindent(text: string, start: number, indent: number): string | undefined {
  const end = closingQuote(text, start);
  if (end < 0) return undefined;
  const column = start - (text.lastIndexOf('\n', start - 1) + 1);
  let out = '';
  let copied = 0;
  for (let nl = text.indexOf('\n', start); nl >= 0 && nl < end; nl = text.indexOf('\n', nl + 1)) {
    const lineStart = nl + 1;
    let k = lineStart;
    while (text[k] === ' ' || text[k] === '\t') k++;
    // an empty line is a line break of the value, whatever its indentation
    if (text[k] === '\n' || text[k] === '\r') continue;
    if (k - lineStart > indent) continue;
    out += text.slice(copied, lineStart) + ' '.repeat(column);
    copied = k;
  }
  return copied === 0 ? undefined : out + text.slice(copied);
}
