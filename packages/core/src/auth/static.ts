import { requireSecret } from '../runtime/secrets.js';
import { type AuthStrategy, withHeaders } from './types.js';

/** `Authorization: Bearer <secret>` (Psoxy's `oauth2_access_token`); the secret is read at use time. */
export function bearerToken(opts: { secret?: string } = {}): AuthStrategy {
  const secret = opts.secret ?? 'ACCESS_TOKEN';
  return {
    kind: 'bearer',
    secretNames: [secret],
    async authorize(request, ctx) {
      return withHeaders(request, { authorization: `Bearer ${await requireSecret(ctx.secrets, secret)}` });
    },
  };
}

/** A token in a header of the source's choosing (`X-Api-Key: <secret>`), with an optional prefix. */
export function headerToken(opts: { header: string; secret: string; prefix?: string }): AuthStrategy {
  return {
    kind: 'header',
    secretNames: [opts.secret],
    async authorize(request, ctx) {
      return withHeaders(request, { [opts.header]: `${opts.prefix ?? ''}${await requireSecret(ctx.secrets, opts.secret)}` });
    },
  };
}

/** `Authorization: Basic base64(user:password)`. */
export function basicAuth(opts: { userSecret?: string; passwordSecret?: string } = {}): AuthStrategy {
  const user = opts.userSecret ?? 'BASIC_AUTH_USER_ID';
  const password = opts.passwordSecret ?? 'BASIC_AUTH_PASSWORD';
  return {
    kind: 'basic',
    secretNames: [user, password],
    async authorize(request, ctx) {
      const u = await requireSecret(ctx.secrets, user);
      const p = await requireSecret(ctx.secrets, password);
      return withHeaders(request, { authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
    },
  };
}
