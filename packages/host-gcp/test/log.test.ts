import { describe, expect, it } from 'vitest';
import { gcpLogger } from '../src/index.js';

describe('gcpLogger', () => {
  it('writes the JSON lines Cloud Logging reads: severity and message, then the time and the fields, secrets redacted', () => {
    const lines: string[] = [];
    const log = gcpLogger({ level: 'info', write: (l) => lines.push(l) });
    log.debug('not written');
    log.warn('upstream slow', { ms: 812, accessToken: 'ya29.x' });
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(Object.keys(record)).toEqual(['severity', 'message', 'time', 'ms', 'accessToken']);
    expect(record).toMatchObject({ severity: 'WARNING', message: 'upstream slow', ms: 812, accessToken: '[redacted]' });
  });
});
