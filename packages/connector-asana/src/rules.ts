import { type EndpointInput, type RestRules, type TransformInput, defineRestRules, pseudonymizeAt, redactAt as redact } from '@psoxy/core';

const PAGE = ['limit', 'offset', 'opt_fields'];
const TASK_PARAMS = [...PAGE, 'project', 'completed_since', 'modified_since'];

const pseudonymize = (jsonPaths: string[], includeReversible = false): TransformInput => pseudonymizeAt(jsonPaths, { includeReversible });

/** Task transforms under `$.data[*]` (lists) or `$.data` (one task). */
function taskTransforms(at: string): TransformInput[] {
  return [
    redact(['external', 'html_notes', 'notes', '.name', 'custom_fields[*].description'].map((p) => `${at}.${p}`)),
    pseudonymize(
      [
        'created_by.gid', 'completed_by.gid', 'hearts[*].user.gid', 'likes[*].user.gid', 'assignee.gid', 'custom_fields[*].created_by.gid',
        'custom_fields[*].people_value[*].gid', 'followers[*].gid', '.email',
      ].map((p) => `${at}.${p}`),
    ),
  ];
}

/**
 * Asana: Psoxy's `asana` rules (`rules/asana/PrebuiltSanitizerRules.java#ASANA`), read-only:
 * Psoxy's allow any method here, but an Asana token can write, so this port allows GET and HEAD.
 */
export const asanaRules: RestRules = defineRestRules({
  endpoints: ([
    { pathTemplate: '/api/1.0/workspaces', allowedQueryParams: PAGE },
    {
      pathTemplate: '/api/1.0/users',
      allowedQueryParams: [...PAGE, 'workspace', 'team'],
      // user gids are reversible, so that per-user calls can be made with them
      transforms: [redact(['$.data[*].name', '$.data[*].photo']), pseudonymize(['$.data[*].email']), pseudonymize(['$.data[*].gid'], true)],
    },
    {
      pathTemplate: '/api/1.0/workspaces/{workspaceId}/teams',
      allowedQueryParams: PAGE,
      transforms: [redact(['$.data[*]..name', '$.data[*].description', '$.data[*].html_description'])],
    },
    {
      pathTemplate: '/api/1.0/teams/{teamId}/projects',
      allowedQueryParams: [...PAGE, 'archived'],
      transforms: [
        redact([
          '$.data[*].current_status', '$.data[*].current_status_update', '$.data[*].custom_field_settings[*].custom_field.created_by',
          '$.data[*].custom_field_settings[*].custom_field.description', '$.data[*].name', '$.data[*].notes', '$.data[*].html_notes',
          '$.data[*].created_by', '$.data[*].completed_by', '$..name',
        ]),
      ],
    },
    { pathTemplate: '/api/1.0/tasks', allowedQueryParams: TASK_PARAMS, transforms: taskTransforms('$.data[*]') },
    { pathTemplate: '/api/1.0/tasks/{taskId}', allowedQueryParams: TASK_PARAMS, transforms: taskTransforms('$.data') },
    {
      pathTemplate: '/api/1.0/tasks/{taskId}/stories',
      allowedQueryParams: PAGE,
      transforms: [
        redact(['..name', 'html_text', 'text', 'new_text_value', 'old_text_value', 'new_name', 'old_name', 'previews'].map((p) => `$.data[*]${p.startsWith('.') ? p : `.${p}`}`)),
        pseudonymize(['assignee.gid', 'created_by.gid', 'follower.gid', 'hearts[*].user.gid', 'likes[*].user.gid', 'story.created_by.gid', '.email'].map((p) => `$.data[*].${p}`)),
      ],
    },
    { pathTemplate: '/api/1.0/tasks/{taskId}/subtasks', allowedQueryParams: TASK_PARAMS, transforms: taskTransforms('$.data[*]') },
    {
      pathTemplate: '/api/1.0/workspaces/{workspaceId}/tasks/search',
      allowedQueryParams: ['limit', 'modified_at.after', 'modified_at.before', 'is_subtask', 'sort_ascending', 'opt_fields'],
      transforms: taskTransforms('$.data[*]'),
    },
  ] satisfies EndpointInput[]).map((e) => ({ ...e, allowedMethods: ['GET', 'HEAD'] })),
});
