import * as core from '@actions/core';
import { context } from '@actions/github';
import { ThawError, ValidationError } from '../../core/errors.ts';
import { newEvent, type PrRef, type ThawEvent } from '../../core/events.ts';
import { commentMarker, renderComment } from '../../core/pr-comment.ts';
import { upsertStickyComment } from '../../core/sticky-comment.ts';
import { primaryUrl } from '../../core/views.ts';
import { runCommentCommand } from './commands.ts';
import { type ActionInputs, readInputs } from './inputs.ts';
import { buildLaunch, octokitComments, repoName, sendEvent, startDeployment } from './shared.ts';

const LAUNCH_ACTIONS = new Set(['opened', 'reopened', 'synchronize', 'ready_for_review']);

interface PullRequestPayload {
  number: number;
  html_url?: string;
  head: { sha: string; repo: { full_name: string } | null };
  base: { repo: { full_name: string } };
}

/** Decides what this workflow run means: launch, destroy, or nothing (with why). */
function decide(
  inputs: ActionInputs,
): { command: 'launch' | 'destroy'; number?: number; pr?: PullRequestPayload } | { skip: string } {
  const pr = context.payload.pull_request as PullRequestPayload | undefined;
  if (inputs.command !== 'auto') return { command: inputs.command, number: pr?.number, pr };
  if (context.eventName === 'pull_request' || context.eventName === 'pull_request_target') {
    const action = context.payload.action ?? '';
    if (action === 'closed') return { command: 'destroy', number: pr?.number, pr };
    if (LAUNCH_ACTIONS.has(action)) return { command: 'launch', number: pr?.number, pr };
    return {
      skip: `pull_request "${action}" does not change the preview (only opened, reopened, synchronize, ready_for_review and closed do)`,
    };
  }
  if (context.eventName === 'workflow_dispatch')
    return { skip: 'workflow_dispatch needs the "command" input set to launch or destroy' };
  return {
    skip: `event "${context.eventName}" does not launch or destroy previews; run this action on pull_request events (and issue_comment for /thaw commands)`,
  };
}

export async function run(): Promise<void> {
  const inputs = readInputs();
  if (context.eventName === 'issue_comment') {
    await runCommentCommand(inputs);
    return;
  }
  const decision = decide(inputs);
  if ('skip' in decision) {
    core.notice(`Thaw: nothing to do — ${decision.skip}.`);
    return;
  }
  const { command, pr } = decision;
  // pull_request_target runs this repository's workflow with its secrets and a write token for
  // pull requests from anybody's fork; it exists to serve forks, so it needs the same consent.
  if (context.eventName === 'pull_request_target' && !inputs.allowForks) {
    throw new ThawError(
      `refusing to run on pull_request_target: that event gives pull requests from forks this repository's secrets and a write token, and a preview would run the fork's code in your AWS account. Use "on: pull_request", or set allow-forks: true only if you trust every fork.`,
    );
  }
  // A fork that was deleted has no head repository: it is still not this repository.
  const forked = pr !== undefined && pr.head.repo?.full_name !== pr.base.repo.full_name;
  if (command === 'launch' && forked && !inputs.allowForks) {
    throw new ThawError(
      `refusing to launch a preview for a pull request from a fork (${pr.head.repo?.full_name ?? 'a deleted fork'}): its code would run in your AWS account with your secrets. Set allow-forks: true only if you trust every fork.`,
    );
  }
  const number = decision.number;
  const stackId = inputs.stackId ?? (number ? `pr-${number}` : undefined);
  if (!stackId)
    throw new ValidationError('action inputs', [
      {
        path: 'stack-id',
        message: 'expected a stack id: this run has no pull request to derive pr-<number> from',
      },
    ]);

  const repo = repoName();
  const prRef: PrRef | undefined = number
    ? {
        repo,
        number,
        ...(pr?.head.sha ? { headSha: pr.head.sha } : {}),
        ...(pr?.html_url ? { url: pr.html_url } : {}),
      }
    : undefined;
  let event: ThawEvent;
  let urls: Record<string, string> = {};
  if (command === 'launch') ({ event, urls } = await buildLaunch(inputs, stackId, prRef));
  else event = newEvent({ type: 'DESTROY', stackId, at: new Date().toISOString() });

  // The comment first: a token without permission fails the step before anything is sent.
  if (inputs.comment && prRef && inputs.githubToken) {
    const body = renderComment({
      stackId,
      state: command === 'launch' ? 'LAUNCHING' : 'DESTROYING',
      urls,
      images: inputs.images,
      pr: prRef,
    });
    await upsertStickyComment(
      octokitComments(inputs.githubToken, repo, prRef.number),
      commentMarker(stackId),
      body,
    );
    core.info(`Thaw: preview comment updated on #${prRef.number}`);
  }

  if (command === 'launch') await startDeployment(inputs, stackId, prRef, primaryUrl(stackId, urls));

  const messageId = await sendEvent(inputs, event);
  core.setOutput('stack-id', stackId);
  core.setOutput('url', primaryUrl(stackId, urls) ?? '');
  core.setOutput('message-id', messageId);
}
