import { ThawError } from '../core/errors.ts';
import type { CommentsApi, IssueComment } from '../core/sticky-comment.ts';

export class GitHubError extends ThawError {
  override name = 'GitHubError';
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/**
 * Who comments made with an installation token (the Actions GITHUB_TOKEN, a GitHub App) are written
 * by, when `GET /user` refuses to say: the Actions app's bot. For another app the guess is wrong, and
 * the sticky comment then learns the real login from the comment it creates.
 */
export const INSTALLATION_BOT_LOGIN = 'github-actions[bot]';

/** The login of a GitHub REST comment's author (`user` is null for a deleted account: nobody). */
export function commentAuthor(comment: { user?: { login?: string } | null }): string {
  return comment.user?.login ?? '';
}

/** One GitHub REST call with fetch: JSON in and out, a GitHubError naming the status when it fails. */
export function githubRequest({
  apiUrl = 'https://api.github.com',
  token,
  permission = 'pull-requests: write',
}: {
  apiUrl?: string | undefined;
  token: string;
  /** Named in the error when GitHub answers 403 or 404. */
  permission?: string;
}) {
  return async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${apiUrl}${path}`, {
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
          ? ` (the token needs "${permission}" on this repository)`
          : '';
      throw new GitHubError(response.status, `GitHub ${method} ${path} answered ${response.status}${hint}`);
    }
    return response.status === 204 ? undefined : response.json();
  };
}

/** Issue comments through GitHub's REST API with fetch (the notifier Lambda needs nothing more). */
export function fetchCommentsApi({
  apiUrl = 'https://api.github.com',
  token,
  repo,
  number,
  botLogin = INSTALLATION_BOT_LOGIN,
}: {
  apiUrl?: string;
  token: string;
  repo: string;
  number: number;
  /** Whose comments are ours when the token cannot read `GET /user` (an installation token). */
  botLogin?: string;
}): CommentsApi {
  const call = githubRequest({ apiUrl, token });
  type RestComment = { id: number; body?: string | null; user?: { login?: string } | null };
  const toComment = (c: RestComment): IssueComment => ({
    id: c.id,
    body: c.body ?? '',
    author: commentAuthor(c),
  });
  return {
    identity: async () => {
      try {
        return ((await call('GET', '/user')) as { login: string }).login;
      } catch (error) {
        // An installation token is refused `GET /user` (403 "Resource not accessible by integration").
        if (error instanceof GitHubError && error.status === 403) return botLogin;
        throw error;
      }
    },
    list: async (page, perPage) =>
      (
        (await call(
          'GET',
          `/repos/${repo}/issues/${number}/comments?per_page=${perPage}&page=${page}`,
        )) as RestComment[]
      ).map(toComment),
    create: async (body) =>
      toComment((await call('POST', `/repos/${repo}/issues/${number}/comments`, { body })) as RestComment),
    update: async (id, body) => void (await call('PATCH', `/repos/${repo}/issues/comments/${id}`, { body })),
    remove: async (id) => void (await call('DELETE', `/repos/${repo}/issues/comments/${id}`)),
  };
}
