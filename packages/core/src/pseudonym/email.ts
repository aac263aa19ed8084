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
  const qtext = `[${noWsCtl}!#-\\[\\]-~]`;
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
  return { mailbox, addrSpec, address, comment, quotedStringWOCFWS, groupPrefix, dotAtomText, rfc1035DomainName };
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
/**
 * Fast path: a plain `local@domain` with no comments, quotes or names. It accepts a subset of what
 * the mailbox pattern accepts, and for that subset the mailbox pattern yields exactly these groups.
 */
const SIMPLE = new RegExp(`^(${G.dotAtomText})@(${G.rfc1035DomainName})$`);

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
  const simple = SIMPLE.exec(value);
  if (simple) return { personalName: undefined, localPart: simple[1] as string, domain: simple[2] as string };
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
