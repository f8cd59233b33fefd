/** The few GitHub issue-comment calls the sticky comment needs (the Action uses Octokit, the notifier fetch). */
export interface CommentsApi {
  /** One page of an issue's comments, oldest first. */
  list(page: number, perPage: number): Promise<{ id: number; body: string }[]>;
  create(body: string): Promise<{ id: number }>;
  update(id: number, body: string): Promise<void>;
  /** Deleting a comment that is already gone must succeed (a racing run removed it). */
  remove(id: number): Promise<void>;
}

async function findMarked(api: CommentsApi, marker: string): Promise<{ id: number; body: string }[]> {
  const found: { id: number; body: string }[] = [];
  const perPage = 100;
  for (let page = 1; ; page++) {
    const comments = await api.list(page, perPage);
    found.push(...comments.filter((c) => c.body.includes(marker)));
    if (comments.length < perPage) return found;
  }
}

/**
 * Creates or updates the one comment carrying `marker`, never leaving two: after creating, it looks
 * again, keeps the oldest and removes the rest (two workflow runs can race). Returns the comment id.
 */
export async function upsertStickyComment(api: CommentsApi, marker: string, body: string): Promise<number> {
  const existing = await findMarked(api, marker);
  if (existing.length > 0) {
    const [keep, ...extra] = existing.sort((a, b) => a.id - b.id);
    if (keep!.body !== body) await api.update(keep!.id, body);
    for (const comment of extra) await api.remove(comment.id);
    return keep!.id;
  }
  const created = await api.create(body);
  const after = (await findMarked(api, marker)).sort((a, b) => a.id - b.id);
  const keep = after[0] ?? { id: created.id, body };
  for (const comment of after.slice(1)) await api.remove(comment.id);
  if (keep.id !== created.id) await api.update(keep.id, body);
  return keep.id;
}
