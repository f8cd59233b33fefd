import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

export interface RecordedCall {
  method: string;
  path: string;
  body?: unknown;
}

export interface FakeComment {
  id: number;
  body: string;
  /** The author, as GitHub's REST API has it (absent on seeded comments: nobody's). */
  user?: { login: string; type: 'User' | 'Bot' };
}

export interface FakeDeployment {
  id: number;
  sha: string;
  ref: string;
  environment: string;
  transient_environment?: boolean;
  auto_merge?: boolean;
  required_contexts?: string[];
  statuses: { state: string; environment_url?: string; description?: string }[];
}

/** A pull request as `GET /repos/{o}/{r}/pulls/{n}` answers it (only the fields Thaw reads). */
export interface FakePull {
  number: number;
  html_url: string;
  head: { sha: string; repo: { full_name: string } | null };
  base: { repo: { full_name: string } };
}

/**
 * The few GitHub REST endpoints Thaw uses (issue comments and their reactions, `GET /user`, pull
 * requests, collaborator permissions, deployments and their statuses), in memory, recording every
 * call. Without `login` the token behaves like the Actions GITHUB_TOKEN: `GET /user` is refused (403)
 * and comments are written by `github-actions[bot]`; with it, like a personal access token of `login`.
 * `permissions` maps a login to its permission (`admin`, `write`, `read`); anybody else is not a
 * collaborator (404).
 */
export async function startFakeGitHub({
  deny = false,
  denyPaths,
  login,
  permissions = {},
  pulls = {},
}: {
  deny?: boolean;
  /** Refuse (403) only the paths this matches, as for a token missing one permission. */
  denyPaths?: RegExp;
  login?: string;
  permissions?: Record<string, string>;
  pulls?: Record<number, FakePull>;
} = {}) {
  const calls: RecordedCall[] = [];
  const reactions = new Map<number, string[]>();
  const deployments: FakeDeployment[] = [];
  const comments = new Map<string, FakeComment[]>();
  const author: FakeComment['user'] = login
    ? { login, type: 'User' }
    : { login: 'github-actions[bot]', type: 'Bot' };
  let nextId = 5000;
  const app = new Hono();
  app.use('*', async (c, next) => {
    const body =
      c.req.method === 'GET' || c.req.method === 'DELETE'
        ? undefined
        : await c.req.json().catch(() => undefined);
    calls.push({ method: c.req.method, path: c.req.path, body });
    if (deny || denyPaths?.test(c.req.path))
      return c.json({ message: 'Resource not accessible by integration' }, 403);
    await next();
  });
  app.get('/user', (c) =>
    login
      ? c.json({ login, type: 'User' })
      : c.json({ message: 'Resource not accessible by integration' }, 403),
  );
  app.get('/repos/:owner/:repo/issues/:number/comments', (c) => {
    const list =
      comments.get(`${c.req.param('owner')}/${c.req.param('repo')}#${c.req.param('number')}`) ?? [];
    const perPage = Number(c.req.query('per_page') ?? 30);
    const page = Number(c.req.query('page') ?? 1);
    return c.json(list.slice((page - 1) * perPage, page * perPage));
  });
  app.post('/repos/:owner/:repo/issues/:number/comments', async (c) => {
    const key = `${c.req.param('owner')}/${c.req.param('repo')}#${c.req.param('number')}`;
    const { body } = (calls.at(-1)!.body ?? {}) as { body: string };
    const comment: FakeComment = { id: nextId++, body, user: author };
    comments.set(key, [...(comments.get(key) ?? []), comment]);
    return c.json(comment, 201);
  });
  app.patch('/repos/:owner/:repo/issues/comments/:id', (c) => {
    const id = Number(c.req.param('id'));
    const { body } = (calls.at(-1)!.body ?? {}) as { body: string };
    for (const list of comments.values()) {
      const found = list.find((x) => x.id === id);
      if (found) {
        found.body = body;
        return c.json(found);
      }
    }
    return c.json({ message: 'Not Found' }, 404);
  });
  app.delete('/repos/:owner/:repo/issues/comments/:id', (c) => {
    const id = Number(c.req.param('id'));
    for (const [key, list] of comments)
      comments.set(
        key,
        list.filter((x) => x.id !== id),
      );
    return c.body(null, 204);
  });
  app.post('/repos/:owner/:repo/issues/comments/:id/reactions', (c) => {
    const id = Number(c.req.param('id'));
    const { content } = (calls.at(-1)!.body ?? {}) as { content: string };
    const allowed = ['+1', '-1', 'laugh', 'confused', 'heart', 'hooray', 'rocket', 'eyes'];
    if (!allowed.includes(content)) return c.json({ message: 'Validation Failed' }, 422);
    reactions.set(id, [...(reactions.get(id) ?? []), content]);
    return c.json({ id: nextId++, content }, 201);
  });
  app.get('/repos/:owner/:repo/collaborators/:user/permission', (c) => {
    const permission = permissions[c.req.param('user')];
    if (!permission) return c.json({ message: 'Not Found' }, 404);
    return c.json({ permission, role_name: permission, user: { login: c.req.param('user') } });
  });
  app.get('/repos/:owner/:repo/pulls/:number', (c) => {
    const pull = pulls[Number(c.req.param('number'))];
    return pull ? c.json(pull) : c.json({ message: 'Not Found' }, 404);
  });
  app.post('/repos/:owner/:repo/deployments', (c) => {
    const body = (calls.at(-1)!.body ?? {}) as Omit<FakeDeployment, 'id' | 'sha' | 'statuses'>;
    const deployment: FakeDeployment = { ...body, id: nextId++, sha: body.ref, statuses: [] };
    deployments.push(deployment);
    return c.json(deployment, 201);
  });
  app.get('/repos/:owner/:repo/deployments', (c) => {
    const environment = c.req.query('environment');
    const sha = c.req.query('sha');
    return c.json(
      deployments
        .filter((d) => (!environment || d.environment === environment) && (!sha || d.sha === sha))
        .reverse(),
    );
  });
  app.post('/repos/:owner/:repo/deployments/:id/statuses', (c) => {
    const deployment = deployments.find((d) => d.id === Number(c.req.param('id')));
    if (!deployment) return c.json({ message: 'Not Found' }, 404);
    const status = calls.at(-1)!.body as FakeDeployment['statuses'][number];
    deployment.statuses.push(status);
    return c.json({ id: nextId++, ...status }, 201);
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    commentsOn: (repo: string, number: number) => comments.get(`${repo}#${number}`) ?? [],
    seed: (repo: string, number: number, list: FakeComment[]) => comments.set(`${repo}#${number}`, list),
    /** The reactions on an issue comment, in the order they were added. */
    reactionsOn: (commentId: number) => reactions.get(commentId) ?? [],
    deployments,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
