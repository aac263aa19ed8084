import { readFileSync } from 'node:fs';
import { JavaPattern } from './packages/core/src/regex/index.ts';
const unesc = (s: string) => s.replace(/\\n/g,'\n').replace(/\\r/g,'\r').replace(/\\t/g,'\t').replace(/\\u0085/g,'\u0085').replace(/\\u00e9/g,'\u00e9').replace(/\\u00c9/g,'\u00c9').replace(/\\u00a0/g,'\u00a0').replace(/\\u2028/g,'\u2028').replace(/\\\\/g,'\\');
const java = readFileSync(process.argv[3] ?? '/tmp/jt/java.out','utf8').split('\n');
readFileSync(process.argv[2] ?? '/tmp/jt/cases.tsv','utf8').split('\n').filter(Boolean).forEach((line, i) => {
  const [fl, pat, raw] = line.split('\t'); const input = unesc(raw);
  let out: string;
  try { const p = new JavaPattern(pat, { caseInsensitive: fl.includes('i'), multiline: fl.includes('m'), dotAll: fl.includes('s') });
    const full = !!p.matches(input); let f = ''; for (const m of p.findAll(input)) f += `${m.start}-${m.end},`;
    out = `${full}\t${f}\t${p.split(input).join('|')}`.replace(/\n/g,'\\n').replace(/\t/g,' TAB ');
  } catch (e) { out = 'ERR ' + (e as Error).message; }
  const j = java[i];
  if (out !== j) console.log('DIFF', JSON.stringify(pat), JSON.stringify(raw), `js=${out} java=${j}`);
});
console.log('done');
