import { ThawError } from '../core/errors.ts';
import type { CommentsApi } from '../core/sticky-comment.ts';

export class GitHubError extends ThawError {
  override name = 'GitHubError';
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Issue comments through GitHub's REST API with fetch (the notifier Lambda needs nothing more). */
export function fetchCommentsApi({
  apiUrl = 'https://api.github.com',
  token,
  repo,
  number,
}: {
  apiUrl?: string;
  token: string;
  repo: string;
  number: number;
}): CommentsApi {
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${apiUrl}/repos/${repo}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
        'content-type': 'application/json',
        'user-agent': 'thaw',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    if (method === 'DELETE' && response.status === 404) return undefined; // already gone
    if (!response.ok) {
      const hint =
        response.status === 403 || response.status === 404
          ? ' (the token needs "pull-requests: write" on this repository)'
          : '';
      throw new GitHubError(response.status, `GitHub ${method} ${path} answered ${response.status}${hint}`);
    }
    return response.status === 204 ? undefined : response.json();
  };
  return {
    list: async (page, perPage) =>
      (await call('GET', `/issues/${number}/comments?per_page=${perPage}&page=${page}`)) as {
        id: number;
        body: string;
      }[],
    create: async (body) => (await call('POST', `/issues/${number}/comments`, { body })) as { id: number },
    update: async (id, body) => void (await call('PATCH', `/issues/comments/${id}`, { body })),
    remove: async (id) => void (await call('DELETE', `/issues/comments/${id}`)),
  };
}
