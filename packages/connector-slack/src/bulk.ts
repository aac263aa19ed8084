import { type BulkRules, toBulkRules } from '@psoxy/core';

const record = (transforms: Record<string, string>[]) => ({ format: 'NDJSON', transforms });
const files: [string, Record<string, string>[]][] = [
  ['users', [{ pseudonymize: '$.profile.email' }, { redact: '$.name' }, { redact: '$.real_name' }]],
  ['channels', [{ redact: '$.name' }]],
  ['groups', [{ redact: '$.name' }]],
  ['dms', [{ redact: '$.text' }]],
  ['mpims', [{ redact: '$.text' }]],
  ['messages-{channelId}', [{ redact: '$.text' }, { redact: '$.channel_name' }]],
];

/**
 * Slack Discovery bulk exports (Psoxy's `discovery-bulk.yaml`): NDJSON files under
 * `export-{week}/`, gzip as Slack delivers them (or plain).
 */
export const slackDiscoveryBulkRules: BulkRules = toBulkRules({
  fileRules: Object.fromEntries(files.flatMap(([name, t]) => [`/export-{week}/${name}.ndjson.gz`, `/export-{week}/${name}.ndjson`].map((template) => [template, record(t)]))),
});
