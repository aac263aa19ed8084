/**
 * @psoxy/connector-asana: Asana, with a service-account or personal access token.
 * @module
 */
import { type Connector, bearerToken, defineConnector } from '@psoxy/core';
import { asanaRules } from './rules.js';

export { asanaRules } from './rules.js';

export const asana: Connector = defineConnector({
  id: 'asana',
  displayName: 'Asana',
  settings: [
    {
      name: 'ACCESS_TOKEN',
      description: 'An Asana service-account token (Enterprise) or the personal access token of a user who can see every workspace, team, project and task to be read.',
      secret: true,
      required: true,
    },
  ],
  docs: {
    grants: ['A service-account token (Asana Enterprise: Admin console > Apps > Service accounts), or a personal access token of a user with access to all the data'],
    setup: [
      'In the Asana admin console, create a service account (Enterprise) and copy its token; or, as a user who can see all the workspaces, teams and projects, create a personal access token (My settings > Apps > Developer apps).',
      'Store it as the secret ACCESS_TOKEN (PSOXY_ASANA_ACCESS_TOKEN in a cloud host).',
    ],
    exampleCalls: ['/api/1.0/workspaces', '/api/1.0/users?workspace={WORKSPACE_GID}&limit=10', '/api/1.0/workspaces/{WORKSPACE_GID}/teams?limit=10', '/api/1.0/teams/{TEAM_GID}/projects?limit=20', '/api/1.0/tasks?project={PROJECT_GID}&limit=10'],
  },
  target: 'https://app.asana.com',
  auth: () => bearerToken({ secret: 'ACCESS_TOKEN' }),
  rules: asanaRules,
});

export const connectors: readonly Connector[] = [asana];
