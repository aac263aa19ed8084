// A connector's settings from the environment, by Psoxy's names: a Psoxy deployment's variables
// must be enough for the connector it had.
import { describe, expect, it } from 'vitest';
import { noAuth } from '../src/auth/index.js';
import { connectorConfigFromEnv, defineConnector } from '../src/connector/index.js';
import { ConfigError } from '../src/proxy/index.js';
import { defineRestRules } from '../src/rules/index.js';

const server = defineConnector({
  id: 'acme-server',
  displayName: 'Acme Server',
  settings: [
    { name: 'ACME_HOST', description: 'Host of the server.', secret: false, required: true, fromTargetHost: 'host' },
    { name: 'ACME_URL', description: 'Base URL of the server.', secret: false, required: false, fromTargetHost: 'url' },
    { name: 'ACME_REGION', description: 'Region.', secret: false, required: false, default: 'eu' },
    { name: 'API_KEY', description: 'Key.', secret: true, required: true },
  ],
  docs: { grants: ['read'], setup: ['Set ACME_HOST or TARGET_HOST.'] },
  target: (config) => `https://${config.settings.ACME_HOST}`,
  auth: () => noAuth,
  rules: defineRestRules({ endpoints: [{ pathTemplate: '/x' }] }),
});

describe('connectorConfigFromEnv', () => {
  it('takes a host or base URL from TARGET_HOST where the setting says so (Psoxy sets only that)', () => {
    const c = connectorConfigFromEnv(server, { TARGET_HOST: 'https://acme.example.com/base/' });
    expect(c.settings).toEqual({ ACME_HOST: 'acme.example.com', ACME_URL: 'https://acme.example.com/base', ACME_REGION: 'eu' });
    expect(connectorConfigFromEnv(server, { TARGET_HOST: 'acme.example.com:8443' }).settings.ACME_HOST).toBe('acme.example.com:8443');
  });

  it('prefers the setting itself, by its name or with the connector prefix', () => {
    expect(connectorConfigFromEnv(server, { TARGET_HOST: 'a.example', ACME_HOST: 'b.example' }).settings.ACME_HOST).toBe('b.example');
    expect(connectorConfigFromEnv(server, { PSOXY_ACME_SERVER_ACME_HOST: 'c.example' }).settings.ACME_HOST).toBe('c.example');
  });

  it('reports a required setting neither given nor derivable, naming the connector', () => {
    expect(() => connectorConfigFromEnv(server, {})).toThrow(ConfigError);
    expect(() => connectorConfigFromEnv(server, {})).toThrow(/connector acme-server: ACME_HOST is required/);
  });
});
