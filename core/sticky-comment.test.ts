import { describe, expect, it } from 'vitest';
import { type CommentsApi, type IssueComment, upsertStickyComment } from './sticky-comment.ts';

/** An issue in memory; `me` is who the token writes as, `claimed` what `identity()` answers. */
function memoryApi(
  initial: IssueComment[] = [],
  { me = 'thaw-bot', claimed = me }: { me?: string; claimed?: string } = {},
) {
  const comments = [...initial];
  let next = 1000;
  const api: CommentsApi = {
    identity: async () => claimed,
    list: async (page, perPage) => comments.slice((page - 1) * perPage, page * perPage),
    create: async (body) => {
      const comment = { id: next++, body, author: me };
      comments.push(comment);
      return { ...comment };
    },
    update: async (id, body) => {
      comments.find((c) => c.id === id)!.body = body;
    },
    remove: async (id) => {
      const index = comments.findIndex((c) => c.id === id);
      if (index >= 0) comments.splice(index, 1); // already gone: fine, as a 404 is for the adapters
    },
  };
  return { api, comments };
}

const M = '<!-- m -->';

describe('sticky comment', () => {
  it('creates once, then updates in place, paging through every comment', async () => {
    const noise = Array.from({ length: 250 }, (_, i) => ({ id: i + 1, body: `chatter ${i}`, author: 'dev' }));
    const { api, comments } = memoryApi(noise);
    const id = await upsertStickyComment(api, M, `${M} v1`);
    expect(await upsertStickyComment(api, M, `${M} v2`)).toBe(id);
    expect(comments.filter((c) => c.body.includes(M))).toEqual([{ id, body: `${M} v2`, author: 'thaw-bot' }]);
  });

  it('two racing runs end with one comment', async () => {
    const { api, comments } = memoryApi();
    await Promise.all([upsertStickyComment(api, M, `${M} a`), upsertStickyComment(api, M, `${M} b`)]);
    expect(comments.filter((c) => c.body.includes(M))).toHaveLength(1);
  });

  it("a stranger's comments with the marker are never adopted, edited or removed; ours is written beside them", async () => {
    const planted = [
      { id: 1, body: `${M} [preview](https://phish.example)`, author: 'stranger' },
      { id: 2, body: `${M} copy`, author: 'Other-Bot[bot]' },
    ];
    const { api, comments } = memoryApi(planted.map((c) => ({ ...c })));
    const id = await upsertStickyComment(api, M, `${M} v1`);
    await upsertStickyComment(api, M, `${M} v2`);
    expect(comments).toEqual([...planted, { id, body: `${M} v2`, author: 'thaw-bot' }]);
  });

  it('our own older comment is kept whatever the case of the login', async () => {
    const { api, comments } = memoryApi([{ id: 7, body: `${M} old`, author: 'Thaw-Bot' }]);
    expect(await upsertStickyComment(api, M, `${M} new`)).toBe(7);
    expect(comments).toEqual([{ id: 7, body: `${M} new`, author: 'Thaw-Bot' }]);
  });

  it('when identity() guessed a wrong bot login, the author of the comment just created decides: still one comment', async () => {
    const { api, comments } = memoryApi([{ id: 7, body: `${M} old`, author: 'my-app[bot]' }], {
      me: 'my-app[bot]',
      claimed: 'github-actions[bot]',
    });
    expect(await upsertStickyComment(api, M, `${M} new`)).toBe(7);
    expect(comments).toEqual([{ id: 7, body: `${M} new`, author: 'my-app[bot]' }]);
  });
});
