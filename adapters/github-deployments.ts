import { githubRequest } from './github-comments.ts';

/**
 * GitHub Deployments for previews (https://docs.github.com/rest/deployments/deployments and
 * https://docs.github.com/rest/deployments/statuses): the Action creates one per LAUNCH in the
 * environment `preview/<stack>`, transient, and marks it in_progress; the backend's notifier marks it
 * success or failure when the stack is ready or failed, and inactive ("destroyed" in GitHub's UI) when
 * it is destroyed. Statuses on a transient environment are not made inactive by GitHub's
 * `auto_inactive` (it only touches non-transient environments), so Thaw ends older ones itself.
 */
export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'inactive';

export interface DeploymentsApi {
  /** Creates the deployment of `ref` (a commit SHA) for the stack; returns its id. */
  create(input: { stackId: string; ref: string; description: string }): Promise<number>;
  setStatus(
    id: number,
    input: { state: DeploymentState; environmentUrl?: string; description?: string },
  ): Promise<void>;
  /** The stack's deployments, newest first (up to 100), optionally of one commit. */
  list(stackId: string, sha?: string): Promise<{ id: number; sha: string }[]>;
}

export const previewEnvironment = (stackId: string) => `preview/${stackId}`;

export function fetchDeploymentsApi({
  apiUrl,
  token,
  repo,
}: {
  apiUrl?: string | undefined;
  token: string;
  repo: string;
}): DeploymentsApi {
  const call = githubRequest({ apiUrl, token, permission: 'deployments: write' });
  return {
    create: async ({ stackId, ref, description }) => {
      const created = (await call('POST', `/repos/${repo}/deployments`, {
        ref,
        environment: previewEnvironment(stackId),
        description,
        transient_environment: true,
        production_environment: false,
        // Never merge the default branch into the PR, and never wait for other checks: the
        // preview is launched whatever they say.
        auto_merge: false,
        required_contexts: [],
        payload: { stackId },
      })) as { id?: number; message?: string };
      // 202 "Auto-merged …" has no id; auto_merge is off, so this means GitHub declined.
      if (typeof created.id !== 'number')
        throw new Error(`GitHub did not create the deployment: ${created.message ?? 'no id in its answer'}`);
      return created.id;
    },
    setStatus: async (id, { state, environmentUrl, description }) => {
      await call('POST', `/repos/${repo}/deployments/${id}/statuses`, {
        state,
        ...(environmentUrl ? { environment_url: environmentUrl } : {}),
        ...(description ? { description: description.slice(0, 140) } : {}),
        auto_inactive: false,
      });
    },
    list: async (stackId, sha) => {
      const query = new URLSearchParams({ environment: previewEnvironment(stackId), per_page: '100' });
      if (sha) query.set('sha', sha);
      const found = (await call('GET', `/repos/${repo}/deployments?${query}`)) as {
        id: number;
        sha: string;
      }[];
      return [...found].sort((a, b) => b.id - a.id).map(({ id, sha }) => ({ id, sha }));
    },
  };
}
