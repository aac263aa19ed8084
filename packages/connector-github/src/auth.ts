import { createAppAuth } from '@octokit/auth-app';
import { request } from '@octokit/request';
import { type AuthStrategy, type Grant, InvalidGrantError, SourceAuthError, TokenManager, requireSecret, withHeaders } from '@psoxy/core';

/** The App's private key: PEM as downloaded (PKCS#1 or #8), or base64 of it. */
function pem(text: string): string {
  const t = text.trim();
  if (t.includes('PRIVATE KEY')) return t.replace(/\\n/g, '\n');
  const decoded = Buffer.from(t, 'base64').toString('utf8');
  if (!decoded.includes('PRIVATE KEY')) throw new SourceAuthError('PRIVATE_KEY must be the GitHub App private key (PEM, or base64 of it)');
  return decoded;
}

/**
 * A GitHub App installation token, made by @octokit/auth-app (it signs the App JWT and calls
 * `POST /app/installations/{id}/access_tokens`) through the proxy's fetch.
 */
export function githubInstallationGrant(o: { apiBaseUrl: string; installationId: string }): Grant {
  return async (ctx) => {
    const appId = (await requireSecret(ctx.secrets, 'CLIENT_ID')).trim();
    const privateKey = pem(await requireSecret(ctx.secrets, 'PRIVATE_KEY'));
    const auth = createAppAuth({
      appId,
      privateKey,
      installationId: o.installationId,
      request: request.defaults({ baseUrl: o.apiBaseUrl, request: { fetch: ctx.fetch } }),
    });
    try {
      const r = await auth({ type: 'installation', refresh: true });
      return { accessToken: r.token, expiresAt: Date.parse(r.expiresAt) };
    } catch (e) {
      const status = (e as { status?: number }).status;
      const message = (e as Error).message.split('\n')[0];
      if (status === 401 || status === 403 || status === 404) {
        throw new InvalidGrantError(
          `GitHub refused the App (${status}: ${message}); check CLIENT_ID (the App's client id or numeric app id, not the installation id), PRIVATE_KEY and that the App is installed as installation ${o.installationId}`,
        );
      }
      if (e instanceof SourceAuthError) throw e;
      throw new SourceAuthError(`getting a GitHub installation token failed: ${message}`);
    }
  };
}

/** Installation tokens, shared between instances through `ACCESS_TOKEN` under the lease. */
export function githubAppAuth(o: { apiBaseUrl: string; installationId: string; name: string }): AuthStrategy {
  const manager = new TokenManager({ name: o.name, grant: githubInstallationGrant(o), sharedTokenSecret: 'ACCESS_TOKEN', leaseName: 'OAUTH_REFRESH_TOKEN' });
  return {
    kind: 'github-app-installation',
    secretNames: ['CLIENT_ID', 'PRIVATE_KEY', ...manager.secretNames],
    invalidate: () => manager.invalidate(),
    async authorize(req, ctx) {
      return withHeaders(req, { authorization: `Bearer ${await manager.getToken(ctx)}` });
    },
  };
}
