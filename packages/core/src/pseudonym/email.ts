import { JavaPattern, type JavaMatch } from '../regex/pattern.js';
import { isBlank, javaTrim } from '../regex/strings.js';

/**
 * RFC 2822 address parsing as Psoxy does it: a port of Bottema/Connor's `EmailAddressParser`
 * ("Dragons") with the criteria ALLOW_QUOTED_IDENTIFIERS + ALLOW_PARENS_IN_LOCALPART and no domain
 * literals. The grammar below is built from the same pieces, in the same order, as the Java
 * original, so that group numbers and what is accepted are identical; the Java regexes are then
 * compiled by our Java-regex translator.
 */
function buildGrammar() {
  const crlf = '\\r\\n';
  const wsp = '[ \\t]';
  const fwsp = `(?:${wsp}*${crlf})?${wsp}+`;
  const dquote = '"';
  const noWsCtl = '\\x01-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F';
  const asciiText = '[\\x01-\\x09\\x0B\\x0C\\x0E-\\x7F]';
  const quotedPair = `(?:\\\\${asciiText})`;
  const ctext = `[${noWsCtl}!-'*-\\[\\]-~]`;
  const ccontent = `${ctext}|${quotedPair}`;
  const comment = `\\((?:(?:${fwsp})?${ccontent})*(?:${fwsp})?\\)`;
  const cfws = `(?:(?:${fwsp})?${comment})*(?:(?:(?:${fwsp})?${comment})|(?:${fwsp}))`;
  const atext = "[a-zA-Z0-9!#-'*+\\-/=?^-`{-~]";
  const regularAtext = "[a-zA-Z0-9!#-'*+\\-/=?^-`{-~]";
  const atom = `(?:${cfws})?${atext}+(?:${cfws})?`;
  const dotAtomText = `${regularAtext}+(?:\\.${regularAtext}+)*`;
  const capDotAtomNoCFWS = `(?:${cfws})?(${dotAtomText})(?:${cfws})?`;
  // RFC 6532, as Psoxy's Dragons.java: a quoted string (a display name) may hold any character but
  // the ASCII controls, `\\` and `"`, so `"José Pérez" <jose@acme.com>` is an address
  const qtext = '[^\\p{Cntrl}\\\\"]';
  // ALLOW_PARENS_IN_LOCALPART
  const localPartqtext = `[${noWsCtl}!#-\\[\\]-~]`;
  const qcontent = `(?:${qtext}|${quotedPair})`;
  const localPartqcontent = `(?>${localPartqtext}|${quotedPair})`;
  const quotedStringWOCFWS = `${dquote}(?>(?:${fwsp})?${qcontent})*(?:${fwsp})?${dquote}`;
  const quotedString = `(?:${cfws})?${quotedStringWOCFWS}(?:${cfws})?`;
  const localPartQuotedString = `(?:${cfws})?(${dquote}(?:(?:${fwsp})?${localPartqcontent})*(?:${fwsp})?${dquote})(?:${cfws})?`;
  const word = `(?:(?:${atom})|(?:${quotedString}))`;
  const phrase = `${word}(?:(?:${fwsp})${word})*`;
  const letter = '[a-zA-Z]';
  const letDig = '[a-zA-Z0-9]';
  const letDigHyp = '[a-zA-Z0-9-]';
  const rfcLabel = `${letDig}(?:${letDigHyp}{0,61}${letDig})?`;
  const rfc1035DomainName = `${rfcLabel}(?:\\.${rfcLabel})*\\.${letter}{2,26}`;
  // no ALLOW_DOMAIN_LITERALS
  const domain = `(?:${cfws})?(${rfc1035DomainName})(?:${cfws})?`;
  const capCFWSDomain = `(?:${cfws})?(${rfc1035DomainName})(${cfws})?`;
  const localPart = `(${capDotAtomNoCFWS}|${localPartQuotedString})`;
  const addrSpec = `${localPart}@${domain}`;
  const uniqueAddrSpec = `${localPart}@${capCFWSDomain}`;
  const angleAddr = `(?:${cfws})?<${addrSpec}>(${cfws})?`;
  const nameAddr = `(${phrase})??(${angleAddr})`;
  const mailboxName = `(${nameAddr})|`; // ALLOW_QUOTED_IDENTIFIERS
  const mailbox = `${mailboxName}(${uniqueAddrSpec})`;
  const mailboxList = `(?:(?:${mailbox})(?:,(?:${mailbox}))*)`;
  const groupPostfix = `(?:${cfws}|(?:${mailboxList}))?;(?:${cfws})?`;
  const groupPrefix = `${phrase}:`;
  const group = groupPrefix + groupPostfix;
  const address = `(?:(?:${mailbox})|(?:${group}))`;
  return { mailbox, addrSpec, address, comment, quotedStringWOCFWS, groupPrefix };
}

const G = buildGrammar();

/** The full RFC 2822 patterns are large: compiled on first use, as most values take the fast path. */
let compiled:
  | { MAILBOX: JavaPattern; ADDR_SPEC: JavaPattern; ADDRESS: JavaPattern; COMMENT: JavaPattern; QUOTED_STRING_WO_CFWS: JavaPattern; GROUP_PREFIX: JavaPattern }
  | undefined;
function patterns() {
  compiled ??= {
    MAILBOX: new JavaPattern(G.mailbox),
    ADDR_SPEC: new JavaPattern(G.addrSpec),
    ADDRESS: new JavaPattern(G.address),
    COMMENT: new JavaPattern(G.comment),
    QUOTED_STRING_WO_CFWS: new JavaPattern(G.quotedStringWOCFWS),
    GROUP_PREFIX: new JavaPattern(G.groupPrefix),
  };
  return compiled;
}
/** Characters of RFC 2822 `atext` (ASCII), as in the grammar's `regularAtext` class. */
const ATEXT = new Uint8Array(128);
for (const ch of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~") ATEXT[ch.charCodeAt(0)] = 1;
const isAlnum = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** What {@link scanSimpleEmail} saw in the local part of the last address it accepted. */
export const lastSimpleEmail = { upper: false, plus: false, dot: false, domainUpper: false };

/**
 * Fast path: a plain `local@domain` with no comments, quotes or names, checked by hand. It accepts
 * exactly `^(dotAtomText)@(rfc1035DomainName)$` of the grammar (a subset of what the mailbox
 * pattern accepts), and for that subset the mailbox pattern yields exactly these two parts.
 * Returns the index of the `@`; -1 if not a plain address, -2 if there is no `@` at all (so not
 * an email of any form). Notes in {@link lastSimpleEmail} what canonicalization will have to
 * change, so that the common lower-case address needs no copy.
 */
export function scanSimpleEmail(s: string): number {
  const at = s.indexOf('@');
  if (at < 0) return -2;
  if (at === 0) return -1;
  let upper = false;
  let plus = false;
  let dot = false;
  // local part: atext runs separated by single dots
  let prevDot = true;
  for (let i = 0; i < at; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (prevDot) return -1;
      prevDot = true;
      dot = true;
    } else if (c < 128 && ATEXT[c] === 1) {
      prevDot = false;
      if (c >= 65 && c <= 90) upper = true;
      else if (c === 43) plus = true;
    } else {
      return -1;
    }
  }
  if (prevDot) return -1;
  // domain: labels of [a-zA-Z0-9-] (1-63 chars, alphanumeric at both ends), then 2-26 letters
  const end = s.length;
  let domainUpper = false;
  let labelStart = at + 1;
  let labels = 0;
  for (let i = labelStart; i <= end; i++) {
    const c = i < end ? s.charCodeAt(i) : 46;
    if (c !== 46) {
      if (c >= 65 && c <= 90) domainUpper = true;
      else if (!(isAlnum(c) || c === 45)) return -1;
      continue;
    }
    const len = i - labelStart;
    if (i === end) {
      // the last part is the top-level domain
      if (labels === 0 || len < 2 || len > 26) return -1;
      for (let j = labelStart; j < i; j++) if (!isLetter(s.charCodeAt(j))) return -1;
    } else {
      if (len < 1 || len > 63 || !isAlnum(s.charCodeAt(labelStart)) || !isAlnum(s.charCodeAt(i - 1))) return -1;
      labels++;
    }
    labelStart = i + 1;
  }
  lastSimpleEmail.upper = upper;
  lastSimpleEmail.plus = plus;
  lastSimpleEmail.dot = dot;
  lastSimpleEmail.domainUpper = domainUpper;
  return at;
}

function simpleEmail(s: string): EmailAddress | undefined {
  const at = scanSimpleEmail(s);
  return at < 0 ? undefined : { personalName: undefined, localPart: s.slice(0, at), domain: s.slice(at + 1) };
}

export interface EmailAddress {
  personalName: string | undefined;
  localPart: string;
  domain: string;
}

function removeAnyBounding(s: string, e: string, str: string | undefined): string | undefined {
  return str !== undefined && str.length >= 2 && str.startsWith(s) && str.endsWith(e) ? str.slice(1, -1) : str;
}

function firstComment(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const m = patterns().COMMENT.find(text);
  return m ? javaTrim(m.group(0) as string) : undefined;
}

function cleanupPersonalString(s: string): string {
  let text = javaTrim(s);
  if (!patterns().QUOTED_STRING_WO_CFWS.matches(text)) return text;
  text = removeAnyBounding('"', '"', text) as string;
  text = text.replace(/\\\\/g, '\\').replace(/\\"/g, '"');
  return javaTrim(text);
}

/** `EmailAddressParserRoutines.matcherToStructure` for our criteria. */
function toStructure(m: JavaMatch): EmailAddress {
  let local: string | undefined;
  let domain: string | undefined;
  let personal: string | undefined;
  if (m.group(1) !== undefined) {
    local = m.group(5) ?? m.group(6);
    domain = m.group(7);
    personal = m.group(2);
    if (personal === undefined) personal = removeAnyBounding('(', ')', firstComment(m.group(8)));
  } else if (m.group(9) !== undefined) {
    local = m.group(11) ?? m.group(12);
    domain = m.group(13);
    personal = removeAnyBounding('(', ')', firstComment(m.group(14)));
  }
  if (local !== undefined) local = javaTrim(local);
  if (domain !== undefined) domain = javaTrim(domain);
  if (personal !== undefined) personal = cleanupPersonalString(javaTrim(personal));
  const unquoted = removeAnyBounding('"', '"', local);
  if (patterns().ADDR_SPEC.matches(`${unquoted}@${domain}`)) local = unquoted;
  return { personalName: personal, localPart: local ?? 'null', domain: domain ?? 'null' };
}

/** Parses a single mailbox (`alice@acme.com`, `Alice <alice@acme.com>`, ...) or returns undefined. */
export function parseEmail(value: string): EmailAddress | undefined {
  if (!value.includes('@')) return undefined; // every mailbox has an addr-spec
  return simpleEmail(value) ?? parseEmailByGrammar(value);
}

/** The same, always through the full RFC 2822 grammar (no fast path). */
export function parseEmailByGrammar(value: string): EmailAddress | undefined {
  const m = patterns().MAILBOX.matches(value);
  return m ? toStructure(m) : undefined;
}

/** `EmailAddress.asFormattedString`. */
export function formatEmail(e: EmailAddress): string {
  return e.personalName ? `"${e.personalName}" <${e.localPart}@${e.domain}>` : `${e.localPart}@${e.domain}`;
}

/** Whether `value` is an RFC 2822 address-list (To/Cc/Bcc header value). */
export function isValidAddressList(value: string): boolean {
  const max = value.length;
  let from = 0;
  for (;;) {
    const m = patterns().ADDRESS.lookingAt(value, from);
    if (!m) return false;
    if (m.end === max) return true;
    if (value[m.end] !== ',') return false;
    from = m.end + 1;
  }
}

/** Every mailbox of an address-list header, groups included (Bottema's FSM, as Psoxy uses it). */
export function parseAddressList(value: string): EmailAddress[] {
  if (isBlank(value)) return [];
  const result: EmailAddress[] = [];
  const max = value.length;
  let mStart = 0;
  let gpStart = 0;
  let groupStart = false;
  let groupEnd = false;
  let justAfterGroupEnd = -1;
  for (;;) {
    if (groupEnd) {
      const nextComma = value.indexOf(',', justAfterGroupEnd);
      if (nextComma < 0 || nextComma >= max - 1) break;
      gpStart = nextComma + 1;
      mStart = nextComma + 1;
      groupEnd = false;
    }
    if (value[mStart] === ';') {
      groupStart = false;
      mStart++;
      if (mStart >= max) break;
      gpStart = mStart;
      groupEnd = true;
      justAfterGroupEnd = mStart;
    }
    const m = patterns().MAILBOX.lookingAt(value, mStart);
    if (m) {
      groupStart = false;
      if (m.end === max || value[m.end] === ',' || (groupEnd = value[m.end] === ';')) {
        result.push(toStructure(m));
        if (m.end < max - 1) {
          if (!groupEnd) {
            gpStart = m.end + 1;
            mStart = m.end + 1;
          } else {
            justAfterGroupEnd = m.end + 1;
          }
        } else {
          break;
        }
      } else {
        break;
      }
      continue;
    }
    const gp = patterns().GROUP_PREFIX.lookingAt(value, gpStart);
    if (gp) {
      if (gp.end < max) {
        mStart = gp.end;
        gpStart = gp.end;
        groupStart = true;
      } else {
        break;
      }
    } else if (groupStart) {
      const nextSemicolon = value.indexOf(';', mStart);
      if (nextSemicolon < 0 || nextSemicolon >= max - 1) break;
      mStart = nextSemicolon + 1;
      gpStart = nextSemicolon + 1;
      groupStart = false;
      groupEnd = true;
      justAfterGroupEnd = mStart;
    } else if (!groupEnd) {
      break;
    }
  }
  return result;
}
