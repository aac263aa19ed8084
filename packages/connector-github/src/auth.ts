import {
  type AuthStrategy,
  type Grant,
  InvalidGrantError,
  SourceAuthError,
  TokenManager,
  bearerFromManager,
  callTokenEndpoint,
  isOk,
  privateKeyPem,
  requireSecret,
  signJwtRs256,
} from '@psoxy/core';

/** How early an App JWT says it was issued, for clocks a little ahead of GitHub's (as Octokit does). */
const IAT_MARGIN_S = 30;
/** GitHub's limit on an App JWT's life. */
const APP_JWT_LIFETIME_S = 600;

/** The JWT a GitHub App authenticates as itself with: RS256, `iss` the App, issued 30 s ago, valid 10 minutes. */
export function githubAppJwt(appId: string, privateKeyPem: string, nowMs: number): string {
  const iat = Math.floor(nowMs / 1000) - IAT_MARGIN_S;
  return signJwtRs256({ iat, exp: iat + APP_JWT_LIFETIME_S, iss: appId }, privateKeyPem);
}

/** GitHub's answers when the App JWT's times disagree with its clock (those Octokit retries on). */
const CLOCK_SKEW =
  /'Expiration time' claim \('exp'\) is too far in the future|'Expiration time' claim \('exp'\) must be a numeric value representing the future time at which the assertion expires|'Issued at' claim \('iat'\) must be an Integer representing the time that the assertion was issued/;

/**
 * A GitHub App installation token: the App JWT, then `POST /app/installations/{id}/access_tokens`,
 * through the proxy's fetch. When GitHub says the JWT's times are off, it is signed again once with
 * GitHub's clock (its `Date` header), as Octokit does. Not @octokit/auth-app: its dependencies
 * added ~25 ms to the module load of every GitHub function's cold start (250 ms budget) for this
 * one request; the tests check the JWT and the request against Octokit's own.
 */
export function githubInstallationGrant(o: { apiBaseUrl: string; installationId: string }): Grant {
  const url = `${o.apiBaseUrl.replace(/\/+$/, '')}/app/installations/${encodeURIComponent(o.installationId)}/access_tokens`;
  return async (ctx) => {
    const appId = (await requireSecret(ctx.secrets, 'CLIENT_ID')).trim();
    const privateKey = privateKeyPem(await requireSecret(ctx.secrets, 'PRIVATE_KEY'), 'PRIVATE_KEY', 'the GitHub App private key');
    let skewMs = 0;
    for (let attempt = 1; ; attempt++) {
      let res: Awaited<ReturnType<typeof callTokenEndpoint>>;
      try {
        res = await callTokenEndpoint(ctx, {
          method: 'POST',
          url,
          headers: { accept: 'application/vnd.github.v3+json', authorization: `bearer ${githubAppJwt(appId, privateKey, ctx.clock() + skewMs)}` },
        });
      } catch (e) {
        throw new SourceAuthError(`getting a GitHub installation token failed: ${new URL(url).host} unreachable (${(e as Error).message})`);
      }
      let body: { token?: unknown; expires_at?: unknown; message?: unknown } = {};
      try {
        body = JSON.parse(res.text);
      } catch {
        // an HTML error page from a proxy in between: the status says enough
      }
      const message = typeof body.message === 'string' ? body.message : `HTTP ${res.status}`;
      const date = res.headers.date;
      if (res.status === 401 && attempt === 1 && CLOCK_SKEW.test(message) && date !== undefined) {
        skewMs = Date.parse(date) - ctx.clock();
        if (Number.isFinite(skewMs)) continue;
        skewMs = 0;
      }
      if (res.status === 401 || res.status === 403 || res.status === 404) {
        throw new InvalidGrantError(
          `GitHub refused the App (${res.status}: ${message}); check CLIENT_ID (the App's client id or numeric app id, not the installation id), PRIVATE_KEY and that the App is installed as installation ${o.installationId}`,
        );
      }
      const expiresAt = typeof body.expires_at === 'string' ? Date.parse(body.expires_at) : Number.NaN;
      if (!isOk(res.status) || typeof body.token !== 'string' || Number.isNaN(expiresAt)) {
        throw new SourceAuthError(`getting a GitHub installation token failed: ${isOk(res.status) ? 'the answer has no token and expiry' : message}`);
      }
      return { accessToken: body.token, expiresAt };
    }
  };
}

/** Installation tokens, shared between instances through `ACCESS_TOKEN` under the lease. */
export function githubAppAuth(o: { apiBaseUrl: string; installationId: string; name: string }): AuthStrategy {
  const manager = new TokenManager({ name: o.name, grant: githubInstallationGrant(o), sharedTokenSecret: 'ACCESS_TOKEN', leaseName: 'OAUTH_REFRESH_TOKEN' });
  return bearerFromManager('github-app-installation', manager, ['CLIENT_ID', 'PRIVATE_KEY']);
}
