import { afterEach, describe, expect, it } from 'vitest';
import { fetchCommentsApi } from '../adapters/github-comments.ts';
import { upsertStickyComment } from '../core/sticky-comment.ts';
import { startFakeGitHub } from './helpers/fake-github.ts';

const M = '<!-- thaw:preview stack=pr-5 -->';
const phishing = `${M}\n**Preview ready:** [open](https://phish.example/login)`;

describe('the sticky comment through the REST adapter, against the fake GitHub', () => {
  let github: Awaited<ReturnType<typeof startFakeGitHub>> | undefined;
  afterEach(async () => {
    await github?.close();
    github = undefined;
  });

  it.each([
    ['a personal access token (GET /user names it)', 'thaw-pat'],
    ['the Actions GITHUB_TOKEN (GET /user refused: github-actions[bot])', undefined],
  ])(
    "%s: a stranger's comment with the marker is left untouched and the bot writes its own",
    async (_, login) => {
      github = await startFakeGitHub({ login });
      const stranger = { id: 1, body: phishing, user: { login: 'stranger', type: 'User' as const } };
      github.seed('acme/shop', 5, [{ ...stranger }]);
      const api = fetchCommentsApi({ apiUrl: github.url, token: 'ghs_x', repo: 'acme/shop', number: 5 });

      const id = await upsertStickyComment(api, M, `${M}\nv1`);
      expect(await upsertStickyComment(api, M, `${M}\nv2`)).toBe(id);

      const comments = github.commentsOn('acme/shop', 5);
      expect(comments[0]).toEqual(stranger);
      expect(comments.slice(1)).toEqual([
        {
          id,
          body: `${M}\nv2`,
          user: { login: login ?? 'github-actions[bot]', type: login ? 'User' : 'Bot' },
        },
      ]);
      const touched = github.calls.filter((c) => c.method === 'PATCH' || c.method === 'DELETE');
      expect(touched.map((c) => c.path)).toEqual([`/repos/acme/shop/issues/comments/${id}`]);
    },
  );

  it("the GITHUB_TOKEN adopts github-actions[bot]'s older comment, not anybody else's", async () => {
    github = await startFakeGitHub();
    github.seed('acme/shop', 5, [
      { id: 1, body: phishing, user: { login: 'stranger', type: 'User' } },
      { id: 2, body: `${M}\nold`, user: { login: 'github-actions[bot]', type: 'Bot' } },
    ]);
    const api = fetchCommentsApi({ apiUrl: github.url, token: 'ghs_x', repo: 'acme/shop', number: 5 });
    expect(await upsertStickyComment(api, M, `${M}\nnew`)).toBe(2);
    expect(github.commentsOn('acme/shop', 5).map((c) => c.body)).toEqual([phishing, `${M}\nnew`]);
  });
});
