import { describe, expect, it } from 'vitest';
import { BulkDataError, RulesError, csvField } from '../../src/index.js';
import { pseudonymizer, sanitizeText } from './helpers.js';

// An HRIS export of our own, shaped like Psoxy's hris-example.csv.
const HRIS = [
  'EMPLOYEE_ID,EMAIL,DEPARTMENT,SNAPSHOT,MANAGER_ID,JOIN_DATE,LEAVE_DATE',
  '1,alice@company.com,Engineering,2023-01-06,,2019-11-11,',
  '2,bob@company.com,Engineering,2023-01-06,1,2020-02-01,',
  '3,carol@company.com,"Sales, EMEA",2023-01-06,1,2021-03-15,2022-12-31',
  '',
].join('\n');

const token = (v: string) => pseudonymizer.pseudonymToken(v) as string;

describe('columnar rules (spec 4.2)', () => {
  it('writes a lookup table: pseudonymized id, the original beside it (spec vector)', async () => {
    const out = await sanitizeText(
      `pseudonymFormat: URL_SAFE_TOKEN
columnsToPseudonymize: [EMPLOYEE_ID]
columnsToDuplicate: {EMPLOYEE_ID: EMPLOYEE_ID_ORIG}
columnsToRedact: [EMAIL]`,
      HRIS,
    );
    const lines = out.split('\n');
    expect(lines[0]).toBe('EMPLOYEE_ID,DEPARTMENT,SNAPSHOT,MANAGER_ID,JOIN_DATE,LEAVE_DATE,EMPLOYEE_ID_ORIG');
    expect(lines[1]).toBe('t~0zPKqEd-CtbCLB1ZSwX6Zo7uAWUvkpfHGzv9-cuYwZc,Engineering,2023-01-06,,2019-11-11,,1');
    expect(lines[3]).toBe(`${token('3')},"Sales, EMEA",2023-01-06,1,2021-03-15,2022-12-31,3`);
    expect(out).not.toContain('alice');
  });

  it('pseudonymizes as JSON by default, quoting the cell', async () => {
    const out = await sanitizeText('columnsToPseudonymize: [email]', HRIS);
    const id = pseudonymizer.pseudonymize('alice@company.com');
    expect(out.split('\n')[1]).toBe(`1,"{""domain"":""company.com"",""hash"":""${id?.hash}""}",Engineering,2023-01-06,,2019-11-11,`);
  });

  it('runs field pipelines: filter, formatString, pseudonymize (spec ghusername vector)', async () => {
    const out = await sanitizeText(
      `pseudonymFormat: URL_SAFE_HASH_ONLY
columnsToInclude: [EMPLOYEE_ID]
fieldsToTransform:
  github_username:
    newName: GITHUB_USERNAME
    sourceColumn: email
    transforms:
      - filter: "(.*)@.*"
      - formatString: "%s_enterprise"
      - pseudonymize: true`,
      HRIS,
    );
    const lines = out.split('\n');
    expect(lines[0]).toBe('EMPLOYEE_ID,GITHUB_USERNAME');
    expect(lines[1]).toBe('1,sbIXAryuJzPz0dxRh4swzuxCY9_ZetgbAQlcrI-W30g');
  });

  it('leaves a cell empty when a filter does not match; javaRegExpReplace uses Java $n syntax', async () => {
    const out = await sanitizeText(
      `columnsToInclude: [EMPLOYEE_ID]
fieldsToTransform:
  dept:
    newName: DEPT_CODE
    sourceColumn: DEPARTMENT
    transforms:
      - filter: "^Eng.*"
  join:
    newName: JOIN_YEAR
    sourceColumn: JOIN_DATE
    transforms:
      - javaRegExpReplace: {regExp: "(\\\\d{4})-(\\\\d{2})-\\\\d{2}", replace: "$1/$2"}`,
      HRIS,
    );
    expect(out.split('\n').slice(0, 4)).toEqual(['EMPLOYEE_ID,DEPT_CODE,JOIN_YEAR', '1,Engineering,2019/11', '2,Engineering,2020/02', '3,,2021/03']);
  });

  it('orders columns by file position (renames keep theirs), new columns last by name', async () => {
    const out = await sanitizeText(
      `pseudonymFormat: URL_SAFE_TOKEN
columnsToRename: {DEPARTMENT: team}
columnsToPseudonymize: [team]
columnsToDuplicate: {MANAGER_ID: b_manager, EMPLOYEE_ID: a_id}
columnsToInclude: [EMPLOYEE_ID, DEPARTMENT]`,
      HRIS,
    );
    const lines = out.split('\n');
    expect(lines[0]).toBe('EMPLOYEE_ID,team,a_id,b_manager');
    expect(lines[1]).toBe(`1,${token('Engineering')},1,`);
  });

  it('matches column names case-insensitively and keeps the file casing', async () => {
    const out = await sanitizeText('columnsToRedact: [email, department]\ncolumnsToInclude: [employee_id, email, join_date]', HRIS);
    expect(out.split('\n')[0]).toBe('EMPLOYEE_ID,JOIN_DATE');
  });

  it('pseudonymizes if present, and only then', async () => {
    const out = await sanitizeText('pseudonymFormat: URL_SAFE_TOKEN\ncolumnsToPseudonymizeIfPresent: [EMAIL, PHONE]', HRIS);
    expect(out.split('\n')[0]).toBe('EMPLOYEE_ID,EMAIL,DEPARTMENT,SNAPSHOT,MANAGER_ID,JOIN_DATE,LEAVE_DATE');
    expect(out.split('\n')[1]).toContain(token('alice@company.com'));
  });

  it('keeps BOM-less output, the first line ending (CRLF) and a trailing unnamed column (zoom export shape)', async () => {
    const zoom = '\ufeffEmail,Name,Meetings,\r\nalice@company.com, Alice ,3,\r\n"bob@company.com","Bob ""B"" Builder",0,\r\n';
    const out = await sanitizeText('pseudonymFormat: URL_SAFE_TOKEN\ncolumnsToPseudonymize: [Email]\ncolumnsToRedact: [Name]', zoom);
    expect(out).toBe(`Email,Meetings,\r\n${token('alice@company.com')},3,\r\n${token('bob@company.com')},0,\r\n`);
  });

  it('reads quoted fields with delimiters, quotes and newlines; trims values as Java does', async () => {
    const out = await sanitizeText('columnsToRedact: [x]', 'id,note,x\n1,"a, ""b""\nc",drop\n2,  spaced\t ,drop\n3,ab"c,drop\n');
    expect(out).toBe('id,note\n1,"a, ""b""\nc"\n2,spaced\n3,"ab""c"\n');
  });

  it('reads with a custom delimiter and writes commas, as Psoxy\'s printer (Commons CSV DEFAULT) does', async () => {
    const out = await sanitizeText('delimiter: ";"\ncolumnsToRedact: [b]', 'a;b;c\n1,5;x;"y;z"\n');
    expect(out).toBe('a,c\n"1,5",y;z\n');
  });

  it('ends records with the first line ending read between records, not one inside a quoted value', async () => {
    expect(await sanitizeText('{}', '"x\ny",B\r\n1,2\r\n')).toBe('"x\ny",B\r\n1,2\r\n');
    expect(await sanitizeText('{}', 'a,b\r1,2\r')).toBe('a,b\r1,2\r');
    // none read: none written
    expect(await sanitizeText('{}', 'A,B')).toBe('A,B');
    // split across chunks: a CR at the end of one, its LF at the start of the next
    expect(await sanitizeText('{}', ['a,b\r', '\n1,2\r\n'])).toBe('a,b\r\n1,2\r\n');
  });

  it('writes a column the rules name but the file lacks, empty, and says so (as Psoxy\'s code; its docs say it fails)', async () => {
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);
    expect(await sanitizeText('columnsToPseudonymize: [ssn]', 'a,b\n1,2\n', { warn })).toBe('a,b,ssn\n1,2,\n');
    expect(await sanitizeText('columnsToRename: {x: y}\ncolumnsToDuplicate: {z: z2}', 'a,b\n1,2\n', { warn })).toBe('a,b,y,z2\n1,2,,\n');
    expect(warnings).toEqual([
      expect.stringMatching(/^file\.csv: column 'ssn' \(columnsToPseudonymize; list it under columnsToPseudonymizeIfPresent.*\) is not in the file/),
      expect.stringMatching(/column 'z' \(columnsToDuplicate z -> z2\) is not in the file/),
      expect.stringMatching(/column 'x' \(columnsToRename x -> y\) is not in the file/),
    ]);
  });

  it('places a rename onto a name the file has at the earlier of the two positions (Psoxy\'s sort)', async () => {
    expect(await sanitizeText('columnsToRename: {A: B}', 'A,C,B\n1,2,3\n')).toBe('B,C\n1,2\n');
  });

  it('an empty file gives the columns the rules add, or nothing', async () => {
    expect(await sanitizeText('{}', '')).toBe('');
    expect(await sanitizeText('columnsToPseudonymize: [id]', '\n\n')).toBe('id\n');
  });

  it('skips empty lines and drops extra trailing fields', async () => {
    expect(await sanitizeText('columnsToRedact: [c]', 'a,b,c\n\n1,2,3,4,5\n\n')).toBe('a,b\n1,2\n');
  });
});

describe('CSV printing (Commons CSV MINIMAL, 1.14)', () => {
  it.each([
    ['plain', true, 'plain'],
    ['', true, '""'],
    ['', false, ''],
    ['#hash', false, '"#hash"'],
    ['!bang', false, '"!bang"'],
    [' lead', false, '" lead"'],
    ['trail ', false, '"trail "'],
    ['a,b', false, '"a,b"'],
    ['say "hi"', false, '"say ""hi"""'],
    ['line\nbreak', false, '"line\nbreak"'],
    ['$dollar', false, '$dollar'],
    ['t~abc@x.com', false, 't~abc@x.com'],
  ])('%j (first: %s) -> %s', (value, first, expected) => {
    expect(csvField(value, first, ',')).toBe(expected);
  });
  it('writes null as an empty, unquoted field', () => {
    expect(csvField(null, true, ',')).toBe('');
  });
});

describe('bad CSV input fails with the file and line, and nothing is written', () => {
  const fails = async (rules: string, text: string | (string | Uint8Array)[], re: RegExp) => {
    const e = await sanitizeText(rules, text, { objectPath: 'hr/export.csv' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BulkDataError);
    expect((e as Error).message).toMatch(re);
  };
  it('a row shorter than the columns in use', () => fails('columnsToRedact: []', 'a,b,c\n1,2,3\n4,5\n', /^hr\/export\.csv:3: the row has 2 values/));
  it('invalid UTF-8, with its line', () => fails('{}', [Buffer.from('a,b\n1,2\n3,'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')], /^hr\/export\.csv:3: invalid UTF-8/));
  it('a UTF-8 sequence split across chunks is fine', async () => {
    const e = Buffer.from('a\né\n');
    expect(await sanitizeText('{}', [e.subarray(0, 3), e.subarray(3)])).toBe('a\né\n');
  });
  it('text after a closing quote', () => fails('{}', 'a,b\n"x"y,2\n', /^hr\/export\.csv:2: malformed CSV/));
  it('an unterminated quote', () => fails('{}', 'a,b\n"x,2\n', /malformed CSV/));
  it('gzip that does not decompress', () => fails('{}', [Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3])], /gzip/));
  it('a blank cell stays empty, unpseudonymized', async () => {
    expect(await sanitizeText('pseudonymFormat: URL_SAFE_TOKEN\ncolumnsToPseudonymize: [b]', 'a,b\n1,  \n')).toBe('a,b\n1,\n');
  });
});

describe('columnar rule errors', () => {
  it('refuses unknown properties, blank names, legacy pseudonymizeWithScope and bad format strings', async () => {
    await expect(sanitizeText('columnsToPseudonymise: [a]', 'a\n1\n')).rejects.toThrow(/unknown property 'columnsToPseudonymise'/);
    await expect(sanitizeText('columnsToRedact: [" "]', 'a\n1\n')).rejects.toThrow(RulesError);
    await expect(sanitizeText('fieldsToTransform: {a: {newName: b, transforms: [{pseudonymizeWithScope: x}]}}', 'a\n1\n')).rejects.toThrow(/pseudonymizeWithScope/);
    await expect(sanitizeText('fieldsToTransform: {a: {newName: b, transforms: [{formatString: "%d-%s"}]}}', 'a\n1\n')).rejects.toThrow(/formatString/);
  });
});
