import { type FargatePrices, stackCost } from '../core/cost.ts';
import { estimate } from '../core/eta.ts';
import type { Executor } from '../core/executors.ts';
import { type PublicUrls, stackUrls } from '../core/orchestrator.ts';
import type { Log, Store } from '../core/ports.ts';
import { commentMarker, renderComment } from '../core/pr-comment.ts';
import { upsertStickyComment } from '../core/sticky-comment.ts';
import { fetchCommentsApi } from './github-comments.ts';

export interface NotifierOptions {
  /** A long-lived token with pull-requests: write (GitHub App installation tokens expire hourly: not supported yet). Without it, notifications only log. */
  token?: string | undefined;
  apiUrl?: string | undefined;
  urls: PublicUrls;
  prices?: FargatePrices;
  store: Pick<Store, 'history'>;
  log: Log;
}

/**
 * The `notify` executor: keeps the PR's sticky comment current (ready, frozen, failed with the reason,
 * destroyed) with the URLs, the images and what the stack has cost.
 */
export function createGitHubNotifier({
  token,
  apiUrl,
  urls,
  prices,
  store,
  log,
}: NotifierOptions): Executor<'notify'> {
  let warned = false;
  return async (task) => {
    if (!token) {
      if (!warned) log.info('GitHub notifications are off: no token configured (GITHUB_TOKEN)');
      warned = true;
      return { kind: 'done', note: 'notifier off' };
    }
    if (!task.pr) return { kind: 'done', note: 'stack has no pull request' };
    const history = await store.history(task.stackId);
    const body = renderComment({
      stackId: task.stackId,
      state: task.state,
      urls: stackUrls(task.spec, task.stackId, urls),
      images: task.images,
      pr: task.pr,
      reason: task.reason,
      wakeSeconds: estimate(history, 'RESUMING', 60).samples
        ? estimate(history, 'RESUMING', 60).etaSeconds
        : undefined,
      cost: stackCost(history, task.spec, new Date(), prices),
    });
    await upsertStickyComment(
      fetchCommentsApi({ apiUrl, token, repo: task.pr.repo, number: task.pr.number }),
      commentMarker(task.stackId),
      body,
    );
    return { kind: 'done', note: `comment updated on ${task.pr.repo}#${task.pr.number}` };
  };
}
