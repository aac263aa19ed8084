import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { RulesError, decodeRulesText, loadRestRules, rulesJsonSchema } from '../src/rules/index.js';
import { compileRestRules } from '../src/sanitize/index.js';

const psoxyYaml = `---
allowedRequestHeaders:
  - "X-Request-Id"
endpoints:
  - pathTemplate: "/users/{id}"
    allowedMethods: ["GET"]
    transforms:
      - !<redact>
        jsonPaths:
          - "$.name"
      - !<pseudonymize>
        jsonPaths:
          - "$.email"
        includeReversible: true
`;

describe('loading rules', () => {
  it('reads the Psoxy dialect (!<tag>) and the native method: form into the same model', () => {
    const native = `
allowedRequestHeaders: [X-Request-Id]
endpoints:
  - pathTemplate: /users/{id}
    allowedMethods: [GET]
    transforms:
      - method: redact
        jsonPaths: [$.name]
      - method: pseudonymize
        jsonPaths: [$.email]
        includeReversible: true
`;
    expect(loadRestRules(native)).toEqual(loadRestRules(psoxyYaml));
    const json = JSON.stringify(loadRestRules(psoxyYaml));
    expect(loadRestRules(json)).toEqual(loadRestRules(psoxyYaml));
  });

  it('fills Psoxy defaults', () => {
    const r = loadRestRules(psoxyYaml);
    expect(r.endpoints[0]?.transforms[1]).toMatchObject({ method: 'pseudonymize', encoding: 'URL_SAFE_TOKEN', includeOriginal: false });
    expect(r.allowAllEndpoints).toBe(false);
  });

  it('accepts base64 and base64-gzip text (the RULES setting)', () => {
    const b64 = Buffer.from(psoxyYaml).toString('base64');
    const gz = gzipSync(Buffer.from(psoxyYaml)).toString('base64');
    expect(decodeRulesText(b64)[0]).toBe(psoxyYaml);
    expect(loadRestRules(gz)).toEqual(loadRestRules(psoxyYaml));
  });

  it('refuses unknown properties with the location, like Jackson', () => {
    const bad = psoxyYaml.replace('includeReversible: true', 'includeReversable: true');
    expect(() => loadRestRules(bad, { source: 'r.yaml' })).toThrow(RulesError);
    expect(() => loadRestRules(bad, { source: 'r.yaml' })).toThrow(
      /r\.yaml:\d+:\d+ endpoints\[0\] \(\/users\/\{id\}\) > transforms\[1\] \(pseudonymize\): unknown property 'includeReversable'/,
    );
  });

  it('reads the local tag form (!redact) as Jackson does, which strips the !', () => {
    expect(loadRestRules(psoxyYaml.replace('!<redact>', '!redact'))).toEqual(loadRestRules(psoxyYaml));
  });

  it('refuses an unknown tag, naming the known ones', () => {
    expect(() => loadRestRules(psoxyYaml.replace('!<redact>', '!<erase>'))).toThrow(/Unresolved tag: erase.*!<redact>/);
  });

  it('refuses bad values and non-rules', () => {
    expect(() => loadRestRules('endpoints: [{pathTemplate: 1}]')).toThrow(/endpoints\[0\] > pathTemplate/);
    expect(() => loadRestRules(psoxyYaml.replace('includeReversible: true', 'encoding: BASE64'))).toThrow(/encoding/);
    expect(() => loadRestRules('columnsToPseudonymize: [email]')).toThrow(/bulk \(file\) rules/);
    expect(() => loadRestRules('- just\n- a list')).toThrow(/not a rules document/);
    expect(() => loadRestRules('endpoints: [')).toThrow(/invalid YAML/);
  });

  it('points at the line and column of a YAML syntax error', () => {
    expect(() => loadRestRules('endpoints:\n  - pathTemplate: "/a\n', { source: 'r.yaml' })).toThrow(/r\.yaml:\d+:\d+.*invalid YAML/);
  });

  it('reads quoted strings folded onto under-indented lines, as Psoxy writes and reads them', () => {
    // Jackson's emitter folds a long string with an escaped line break, continuing at a smaller
    // indentation than YAML allows; SnakeYAML (and so Psoxy) reads it back
    const folded = [
      'endpoints:',
      '  - pathTemplate: "/v1/activities"',
      '    transforms:',
      '      - !<pseudonymize>',
      '        jsonPaths:',
      `          - "$.data[*].actor['email_address','user_id',\\`,
      "      \\ 'api_key_id']\"",
      "          - 'single ''quoted'' text",
      "      folded'",
      '        encoding: "URL_SAFE_TOKEN"',
      '',
    ].join('\n');
    const rules = loadRestRules(folded);
    expect(rules.endpoints[0]?.transforms[0]).toMatchObject({
      method: 'pseudonymize',
      jsonPaths: ["$.data[*].actor['email_address','user_id', 'api_key_id']", "single 'quoted' text folded"],
      encoding: 'URL_SAFE_TOKEN',
    });
    // a string that never closes is still an error, at its place
    expect(() => loadRestRules(folded.replace(`'api_key_id']"`, `'api_key_id']`), { source: 'r.yaml' })).toThrow(/r\.yaml:\d+:\d+.*invalid YAML/);
  });

  it("reads Jackson's forms: null for an unset field, `constant` for `const`, `or` for `anyOf`", () => {
    const yaml = [
      'endpoints:',
      '  - pathTemplate: "/users/{userKey}"',
      '    responseSchema: null',
      '    pathParameterSchemas:',
      '      userKey:',
      '        or:',
      '          - enum: ["all"]',
      '  - pathTemplate: "/teams"',
      '    responseSchema:',
      '      type: "object"',
      '      properties:',
      "        '@odata.type':",
      '          type: "string"',
      '          constant: "#microsoft.graph.team"',
      '',
    ].join('\n');
    const rules = loadRestRules(yaml);
    expect(rules.endpoints[0]).not.toHaveProperty('responseSchema');
    expect(rules.endpoints[0]?.pathParameterSchemas?.userKey?.or).toEqual([{ enum: ['all'] }]);
    expect(rules.endpoints[1]?.responseSchema?.properties?.['@odata.type']?.constant).toBe('#microsoft.graph.team');
    const conflicting = yaml.replace('constant: "#microsoft.graph.team"', 'constant: "#microsoft.graph.team"\n          const: "other"');
    expect(() => loadRestRules(conflicting)).toThrow(/'const' and 'constant' name the same value, but differ/);
  });

  it('refuses at compile time what cannot be enforced faithfully, with its location', () => {
    const regex = 'endpoints:\n  - pathRegex: "^/a[a-z&&[^e]]$"\n';
    expect(() => compileRestRules(loadRestRules(regex))).toThrow(/endpoints\[0\] \(\^\/a.*\) > pathRegex: .*intersection/);
    const path = 'endpoints:\n  - pathTemplate: /a\n    transforms:\n      - !<redact>\n        jsonPaths: ["$.a.length()"]\n';
    expect(() => compileRestRules(loadRestRules(path))).toThrow(/transforms\[0\] \(redact\).*functions/);
    const fmt = 'endpoints:\n  - pathTemplate: /a/{id}\n    pathParameterSchemas:\n      id:\n        format: email\n';
    expect(() => compileRestRules(loadRestRules(fmt))).toThrow(/unknown parameter format 'email'/);
    const nlp = 'endpoints:\n  - pathTemplate: /a\n    augments:\n      - !<sentenceMetadata>\n        jsonPaths: ["$.a"]\n';
    expect(() => compileRestRules(loadRestRules(nlp))).toThrow(/sentenceMetadata/);
  });

  it('exports a JSON Schema for editors', () => {
    const s = rulesJsonSchema();
    expect(s.$schema).toContain('draft-07');
    expect(JSON.stringify(s)).toContain('pseudonymizeRegexMatches');
  });
});

describe('the published JSON Schema file', () => {
  it('is what rulesJsonSchema() gives (regenerate: pnpm psoxy rules schema > packages/core/rules.schema.json)', async () => {
    const { readFileSync } = await import('node:fs');
    const file = JSON.parse(readFileSync(new URL('../rules.schema.json', import.meta.url), 'utf8'));
    expect(file).toEqual(rulesJsonSchema());
  });
});
