import { type FargatePrices, stackCost } from '../core/cost.ts';
import { estimate } from '../core/eta.ts';
import type { Executor } from '../core/executors.ts';
import { type PublicUrls, stackUrls } from '../core/orchestrator.ts';
import type { Log, Store } from '../core/ports.ts';
import { commentMarker, expiryNote, lastWake, renderComment } from '../core/pr-comment.ts';
import { upsertStickyComment } from '../core/sticky-comment.ts';
import { fetchCommentsApi } from './github-comments.ts';
import { type DeploymentState, type DeploymentsApi, fetchDeploymentsApi } from './github-deployments.ts';

export interface NotifierOptions {
  /** A long-lived token with pull-requests: write (GitHub App installation tokens expire hourly: not supported yet). Without it, notifications only log. */
  token?: string | undefined;
  apiUrl?: string | undefined;
  urls: PublicUrls;
  prices?: FargatePrices;
  store: Pick<Store, 'history'>;
  log: Log;
  /** For tests: the GitHub Deployments API of a repository (default: fetch with `token`). */
  deployments?: (repo: string) => DeploymentsApi;
}

/** The deployment status a stack state ends its preview's deployment with (others leave it be). */
const DEPLOYMENT_STATES: Record<string, DeploymentState> = {
  RUNNING: 'success',
  FAILED: 'failure',
  DESTROYED: 'inactive',
};

/**
 * Ends the GitHub Deployment the Action created for this stack (input `deployments: true`): the newest
 * one of the PR's head commit (or of the environment) becomes success/failure with the URL, and every
 * other one of the environment inactive, since GitHub does not retire transient deployments by itself.
 * On DESTROYED every one becomes inactive. No deployment (the input is off): nothing to do.
 */
async function endDeployment(
  api: DeploymentsApi,
  stackId: string,
  state: DeploymentState,
  headSha: string | undefined,
  url: string | undefined,
  reason: string | null,
): Promise<string> {
  const all = await api.list(stackId);
  if (!all.length) return 'no deployment';
  if (state === 'inactive') {
    for (const d of all) await api.setStatus(d.id, { state, description: 'Preview destroyed' });
    return `${all.length} deployment(s) inactive`;
  }
  const current =
    (headSha ? all.find((d) => headSha.startsWith(d.sha) || d.sha.startsWith(headSha)) : undefined) ??
    all[0]!;
  await api.setStatus(current.id, {
    state,
    ...(url ? { environmentUrl: url } : {}),
    description: state === 'success' ? 'Preview ready' : `Preview failed: ${reason ?? 'see the PR comment'}`,
  });
  for (const d of all) if (d.id !== current.id) await api.setStatus(d.id, { state: 'inactive' });
  return `deployment ${current.id} ${state}`;
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
  deployments,
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
    const serviceUrls = stackUrls(task.spec, task.stackId, urls);
    const body = renderComment({
      stackId: task.stackId,
      state: task.state,
      urls: serviceUrls,
      images: task.images,
      pr: task.pr,
      reason: task.reason,
      lastWakeAt: lastWake(history) ?? null,
      expiry: expiryNote(history) ?? null,
      keep: task.keep ?? null,
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
    let deployment = '';
    const deploymentState = DEPLOYMENT_STATES[task.state];
    if (deploymentState) {
      const api = deployments?.(task.pr.repo) ?? fetchDeploymentsApi({ apiUrl, token, repo: task.pr.repo });
      // The deployment is a convenience next to the comment: a token without "deployments: write"
      // must not turn every notification into a failed task.
      deployment = await endDeployment(
        api,
        task.stackId,
        deploymentState,
        task.pr.headSha,
        Object.values(serviceUrls)[0],
        task.reason,
      ).catch((error: unknown) => {
        log.warn('could not update the GitHub deployment', {
          stackId: task.stackId,
          error: error instanceof Error ? error.message : String(error),
        });
        return 'deployment not updated';
      });
    }
    return {
      kind: 'done',
      note: `comment updated on ${task.pr.repo}#${task.pr.number}${deployment ? `; ${deployment}` : ''}`,
    };
  };
}
