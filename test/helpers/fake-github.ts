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

/**
 * The few GitHub REST endpoints Thaw uses (issue comments, `GET /user`), in memory, recording every
 * call. Without `login` the token behaves like the Actions GITHUB_TOKEN: `GET /user` is refused (403)
 * and comments are written by `github-actions[bot]`; with it, like a personal access token of `login`.
 */
export async function startFakeGitHub({ deny = false, login }: { deny?: boolean; login?: string } = {}) {
  const calls: RecordedCall[] = [];
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
    if (deny) return c.json({ message: 'Resource not accessible by integration' }, 403);
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
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    commentsOn: (repo: string, number: number) => comments.get(`${repo}#${number}`) ?? [],
    seed: (repo: string, number: number, list: FakeComment[]) => comments.set(`${repo}#${number}`, list),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
