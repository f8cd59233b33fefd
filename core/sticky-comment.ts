/** An issue comment as the sticky comment sees it: `author` is its author's login. */
export interface IssueComment {
  id: number;
  body: string;
  author: string;
}

/** The few GitHub issue-comment calls the sticky comment needs (the Action uses Octokit, the notifier fetch). */
export interface CommentsApi {
  /**
   * The login the token writes comments as (`GET /user`; for an installation token such as the
   * Actions GITHUB_TOKEN, where `GET /user` is refused, the app's bot login, e.g. `github-actions[bot]`).
   */
  identity(): Promise<string>;
  /** One page of an issue's comments, oldest first. */
  list(page: number, perPage: number): Promise<IssueComment[]>;
  create(body: string): Promise<IssueComment>;
  update(id: number, body: string): Promise<void>;
  /** Deleting a comment that is already gone must succeed (a racing run removed it). */
  remove(id: number): Promise<void>;
}

const sameLogin = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The comments of `author` carrying `marker`, oldest first. Anybody can paste the marker: only the author counts. */
async function findOwnMarked(api: CommentsApi, marker: string, author: string): Promise<IssueComment[]> {
  const found: IssueComment[] = [];
  const perPage = 100;
  for (let page = 1; ; page++) {
    const comments = await api.list(page, perPage);
    found.push(...comments.filter((c) => sameLogin(c.author, author) && c.body.includes(marker)));
    if (comments.length < perPage) return found.sort((a, b) => a.id - b.id);
  }
}

/**
 * Creates or updates the one comment carrying `marker` written by the token's own identity, never
 * leaving two: after creating, it looks again, keeps the oldest and removes the rest (two workflow runs
 * can race). Comments of anybody else are never adopted, edited or removed, whatever they contain:
 * otherwise a stranger could paste the marker, have Thaw keep "its" comment there, and later edit a
 * phishing link into it. The author of the comment just created is the final word on who "we" are
 * (should `identity()` have guessed a wrong bot login, the next run still finds its comment). Returns
 * the comment id.
 */
export async function upsertStickyComment(api: CommentsApi, marker: string, body: string): Promise<number> {
  const me = await api.identity();
  const existing = await findOwnMarked(api, marker, me);
  if (existing.length > 0) {
    const [keep, ...extra] = existing;
    if (keep!.body !== body) await api.update(keep!.id, body);
    for (const comment of extra) await api.remove(comment.id);
    return keep!.id;
  }
  const created = await api.create(body);
  const after = await findOwnMarked(api, marker, created.author);
  const keep = after[0] ?? created;
  for (const comment of after.slice(1)) await api.remove(comment.id);
  if (keep.id !== created.id) await api.update(keep.id, body);
  return keep.id;
}
