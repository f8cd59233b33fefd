import { describe, expect, it } from 'vitest';
import { type CommentsApi, upsertStickyComment } from './sticky-comment.ts';

function memoryApi(initial: { id: number; body: string }[] = []) {
  const comments = [...initial];
  let next = 1000;
  const api: CommentsApi = {
    list: async (page, perPage) => comments.slice((page - 1) * perPage, page * perPage),
    create: async (body) => {
      const comment = { id: next++, body };
      comments.push(comment);
      return comment;
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

describe('sticky comment', () => {
  it('creates once, then updates in place, paging through every comment', async () => {
    const noise = Array.from({ length: 250 }, (_, i) => ({ id: i + 1, body: `chatter ${i}` }));
    const { api, comments } = memoryApi(noise);
    const id = await upsertStickyComment(api, '<!-- m -->', '<!-- m --> v1');
    expect(await upsertStickyComment(api, '<!-- m -->', '<!-- m --> v2')).toBe(id);
    expect(comments.filter((c) => c.body.includes('<!-- m -->'))).toEqual([{ id, body: '<!-- m --> v2' }]);
  });

  it('two racing runs end with one comment', async () => {
    const { api, comments } = memoryApi();
    await Promise.all([
      upsertStickyComment(api, '<!-- m -->', '<!-- m --> a'),
      upsertStickyComment(api, '<!-- m -->', '<!-- m --> b'),
    ]);
    expect(comments.filter((c) => c.body.includes('<!-- m -->'))).toHaveLength(1);
  });
});
