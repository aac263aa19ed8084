import { ConfigError } from '@psoxy/core';
import { GoogleAuth } from 'google-auth-library';

/** The function's own identity: an access token for Google APIs, and its project. */
export interface GoogleCredentials {
  accessToken: () => Promise<string>;
  project: () => Promise<string>;
  /** The service account's email (on Cloud Run, the function's, from the metadata server). */
  serviceAccountEmail: () => Promise<string>;
}

/**
 * Application Default Credentials (on Cloud Run functions, the function's service account via the
 * metadata server), created on first use; google-auth-library caches and renews the token. The
 * project is `GOOGLE_CLOUD_PROJECT` or `GCP_PROJECT`, else what the credentials say.
 */
export function applicationDefault(env: Record<string, string | undefined>): GoogleCredentials {
  let auth: GoogleAuth | undefined;
  const get = () => (auth ??= new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] }));
  return {
    accessToken: async () => {
      const token = await get().getAccessToken();
      if (!token) throw new Error('Application Default Credentials gave no access token');
      return token;
    },
    serviceAccountEmail: async () => {
      const email = (await get().getCredentials()).client_email;
      if (!email) throw new ConfigError(['cannot tell the service account of this function from Application Default Credentials']);
      return email;
    },
    project: async () => {
      const named = env.GOOGLE_CLOUD_PROJECT || env.GCP_PROJECT;
      if (named) return named;
      try {
        return await get().getProjectId();
      } catch (e) {
        throw new ConfigError([`cannot tell the Google Cloud project of the secrets: set GOOGLE_CLOUD_PROJECT (${(e as Error).message})`]);
      }
    },
  };
}
