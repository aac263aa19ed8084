import { Flags } from '@oclif/core';
import { type NodeServer, requiredSecretNames, secretPrefix, serveNode } from '@psoxy/core';
import { PsoxyCommand } from '../lib/base.js';
import { UserError } from '../lib/errors.js';
import { findConnector } from '../lib/connectors.js';
import { localProxy } from '../lib/proxy-setup.js';
import { pseudonymizerFlags } from '../lib/pseudonymizer-flags.js';

export default class Serve extends PsoxyCommand {
  static override summary = 'Run the API proxy on this machine, in front of a source.';

  static override description = `Listens on 127.0.0.1 and answers like a deployed proxy: each request is checked against the rules (403 X-Psoxy-Error: BLOCKED_BY_RULES otherwise), sent to the target with the source's credentials, and its response sanitized. Reversible pseudonyms (p~...) in requests are decrypted first. A health check answers any request carrying X-Psoxy-Health-Check.

Settings take Psoxy's environment names when flags are absent: TARGET_HOST, RULES, PSOXY_SALT, PSOXY_ENCRYPTION_KEY, EMAIL_CANONICALIZATION, EMAIL_DOMAIN_HANDLING, REQUEST_TIMEOUT_SECONDS, ALLOWED_DATA_ACCESS_IP_BLOCKS, REQUEST_PATH_PREFIX_TO_TRIM. Secrets are read from the flags, then --secrets <file> (JSON, written back when tokens rotate), then the environment.

Without --connector, the source's credentials come from Psoxy's generic settings: SOURCE_AUTH_STRATEGY_IDENTIFIER=oauth2_access_token (secret ACCESS_TOKEN), basic_auth (BASIC_AUTH_USER_ID, BASIC_AUTH_PASSWORD), or oauth2_refresh_token with REFRESH_ENDPOINT and GRANT_TYPE refresh_token (default; CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN), account_credentials (CLIENT_ID, CLIENT_SECRET, ACCOUNT_ID) or client_credentials with CREDENTIALS_FLOW=client_secret (TOKEN_SCOPE optional). Psoxy's other identifiers (gcp_service_account_key, claude_admin_api_key, windsurf_service_key) need a connector: the error says which. Unset: no credentials are sent. A credential the chosen auth needs and cannot find stops the command at the start.

Psoxy's side outputs and asynchronous mode work locally, to folders: --side-output-original and --side-output-sanitized (SIDE_OUTPUT_ORIGINAL, SIDE_OUTPUT_SANITIZED) get a gzipped copy of each source answer and each sanitized answer, at <yyyyMMdd>/<requestId>, with <key>.metadata.json beside it; with --async-output (ASYNC_OUTPUT_DESTINATION), a request sent with Prefer: respond-async is answered 202 with where its result will be, and processed in this process right after. Folders may be given as paths or file:// URIs.

Logs one line per request (method, path, status, time; never bodies, query values or secrets). Stops cleanly on Ctrl-C or SIGTERM, after the queued requests are processed.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --rules github.yaml --target https://api.github.com --salt "$SALT"',
    'TARGET_HOST=www.googleapis.com PSOXY_SALT=... <%= config.bin %> <%= command.id %> --rules calendar.yaml --port 9000',
    '<%= config.bin %> <%= command.id %> --rules rules.yaml --target http://127.0.0.1:8081 --allow-http-target --salt s',
  ];

  static override flags = {
    rules: Flags.string({
      char: 'r',
      description: "Rule file (Psoxy YAML or native YAML/JSON); default: the RULES environment variable, which holds the rules themselves (YAML, or base64 of it, as Psoxy's setting does), not a file name.",
      helpValue: '<file>',
    }),
    target: Flags.string({ char: 't', description: 'Base URL of the source (https://host[/path]); default: TARGET_HOST.', helpValue: '<base-url>' }),
    connector: Flags.string({ description: 'Serve an installed connector (its rules and auth) instead of --rules.', helpValue: '<id>' }),
    port: Flags.integer({ char: 'p', description: 'Port to listen on (0: any free port).', default: 8080, min: 0, max: 65535 }),
    host: Flags.string({ description: 'Address to listen on.', default: '127.0.0.1' }),
    secrets: Flags.string({ description: 'JSON file of secrets ({"NAME": "value"}); rotated tokens are written back to it.', helpValue: '<file>' }),
    'allow-http-target': Flags.boolean({ description: 'Allow an http:// target (a local test source only).', default: false }),
    'log-format': Flags.string({ description: 'Request log format.', options: ['text', 'json'], default: 'text' }),
    'side-output-original': Flags.string({ description: 'Folder for a copy of every source answer, unsanitized; default: SIDE_OUTPUT_ORIGINAL.', helpValue: '<dir>' }),
    'side-output-sanitized': Flags.string({ description: 'Folder for a copy of every sanitized answer; default: SIDE_OUTPUT_SANITIZED.', helpValue: '<dir>' }),
    'async-output': Flags.string({ description: 'Folder for the results of Prefer: respond-async requests (enables them); default: ASYNC_OUTPUT_DESTINATION.', helpValue: '<dir>' }),
    ...pseudonymizerFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Serve);
    const connector = flags.connector ? (await findConnector(flags.connector)).connector : undefined;
    if (flags.host !== '127.0.0.1' && flags.host !== 'localhost' && flags.host !== '::1') {
      process.stderr.write(`warning: listening on ${flags.host}: anyone who can reach it can call the source through the proxy\n`);
    }
    const { handler, rules, target, auth, secrets, queue } = await localProxy({
      connector,
      rulesFile: flags.rules,
      target: flags.target,
      salt: flags.salt,
      encryptionKey: flags['encryption-key'],
      secretsFile: flags.secrets,
      allowHttpTarget: flags['allow-http-target'],
      logJson: flags['log-format'] === 'json',
      env: {
        ...process.env,
        EMAIL_CANONICALIZATION: flags['email-canonicalization'],
        EMAIL_DOMAIN_HANDLING: flags['email-domain-handling'],
        ...(flags['side-output-original'] ? { SIDE_OUTPUT_ORIGINAL: flags['side-output-original'] } : {}),
        ...(flags['side-output-sanitized'] ? { SIDE_OUTPUT_SANITIZED: flags['side-output-sanitized'] } : {}),
        ...(flags['async-output'] ? { ASYNC_OUTPUT_DESTINATION: flags['async-output'] } : {}),
      },
    });
    // Secrets the source's auth needs are read when a call comes: ask now, as the health check
    // does, so that a missing one stops the command here rather than fail every call
    const missing: string[] = [];
    for (const name of auth ? requiredSecretNames(auth) : []) if ((await secrets.get(name)) === undefined) missing.push(name);
    if (missing.length > 0) {
      const prefix = connector ? ` or ${secretPrefix(connector.id)}<NAME>` : '';
      throw new UserError(`the source's credentials are missing: ${missing.join(', ')}; set them as environment variables (<NAME>${prefix}) or in --secrets <file>`);
    }
    let server: NodeServer;
    try {
      server = await serveNode(handler, { port: flags.port, host: flags.host });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new UserError(`port ${flags.port} is in use: pass --port <n> (or --port 0 for any free port)`);
      if (code === 'EACCES') throw new UserError(`not allowed to listen on port ${flags.port}: use a port above 1023`);
      throw e;
    }
    process.stdout.write(`psoxy is listening on ${server.url} -> ${target} (${connector ? `connector ${connector.id}, ` : ''}${rules.endpoints.length} endpoint rules)\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.stdout.write('stopping\n');
        // requests already answered 202 are processed before the command ends
        Promise.all([server.close(), queue.drain()]).then(() => resolve(), () => resolve());
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  }
}
