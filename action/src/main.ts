import * as core from '@actions/core';
import { context, getOctokit } from '@actions/github';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { commentAuthor, INSTALLATION_BOT_LOGIN } from '../../adapters/github-comments.ts';
import { loadSpecFile } from '../../adapters/spec-file.ts';
import { createSqsClient, eventMessage } from '../../adapters/sqs.ts';
import { ThawError, ValidationError } from '../../core/errors.ts';
import { newEvent, type PrRef, type ThawEvent } from '../../core/events.ts';
import { stackUrls } from '../../core/orchestrator.ts';
import { commentMarker, renderComment } from '../../core/pr-comment.ts';
import { type CommentsApi, upsertStickyComment } from '../../core/sticky-comment.ts';
import { type ActionInputs, readInputs } from './inputs.ts';

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
    skip: `event "${context.eventName}" does not launch or destroy previews; run this action on pull_request events`,
  };
}

function octokitComments(token: string, repo: string, number: number): CommentsApi {
  const octokit = getOctokit(token);
  const [owner, name] = repo.split('/') as [string, string];
  const explain = (error: unknown): never => {
    const status = (error as { status?: number }).status;
    if (status === 403 || status === 404) {
      throw new ThawError(
        `GitHub refused to ${status === 403 ? 'write' : 'find'} the PR comment (HTTP ${status}): the workflow needs "permissions: pull-requests: write" (and issues: write) for github-token`,
      );
    }
    throw error;
  };
  const toComment = (c: { id: number; body?: string | null; user?: { login?: string } | null }) => ({
    id: c.id,
    body: c.body ?? '',
    author: commentAuthor(c),
  });
  return {
    // The GITHUB_TOKEN is an installation token: GET /user answers 403 and its comments are
    // github-actions[bot]'s. A personal access token says who it is.
    identity: async () =>
      octokit.rest.users.getAuthenticated().then(
        (r) => r.data.login,
        (error: { status?: number }) => (error.status === 403 ? INSTALLATION_BOT_LOGIN : explain(error)),
      ),
    list: async (page, perPage) =>
      (
        await octokit.rest.issues
          .listComments({ owner, repo: name, issue_number: number, per_page: perPage, page })
          .catch(explain)
      ).data.map(toComment),
    create: async (body) =>
      toComment(
        (
          await octokit.rest.issues
            .createComment({ owner, repo: name, issue_number: number, body })
            .catch(explain)
        ).data,
      ),
    update: async (id, body) =>
      void (await octokit.rest.issues
        .updateComment({ owner, repo: name, comment_id: id, body })
        .catch(explain)),
    remove: async (id) => {
      await octokit.rest.issues
        .deleteComment({ owner, repo: name, comment_id: id })
        .catch((error: { status?: number }) => (error.status === 404 ? undefined : explain(error)));
    },
  };
}

export async function run(): Promise<void> {
  const inputs = readInputs();
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

  const repo = `${context.repo.owner}/${context.repo.repo}`;
  const prRef: PrRef | undefined = number
    ? {
        repo,
        number,
        ...(pr?.head.sha ? { headSha: pr.head.sha } : {}),
        ...(pr?.html_url ? { url: pr.html_url } : {}),
      }
    : undefined;
  const at = new Date().toISOString();
  let event: ThawEvent;
  let urls: Record<string, string> = {};
  if (command === 'launch') {
    const spec = await loadSpecFile(inputs.specPath);
    const unknown = Object.keys(inputs.images).filter((service) => !(service in spec.services));
    if (unknown.length)
      throw new ValidationError(
        'action inputs',
        unknown.map((service) => ({
          path: 'images',
          message: `service ${service} is not in ${inputs.specPath} (it has ${Object.keys(spec.services).join(', ')})`,
        })),
      );
    event = newEvent({
      type: 'LAUNCH',
      stackId,
      at,
      images: inputs.images,
      spec,
      ...(prRef ? { pr: prRef } : {}),
    });
    urls = stackUrls(spec, stackId, { domain: inputs.domain, scheme: 'https' });
  } else {
    event = newEvent({ type: 'DESTROY', stackId, at });
  }

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

  const sqs = createSqsClient(inputs.sqs);
  const sent = await sqs.send(new SendMessageCommand({ QueueUrl: inputs.queueUrl, ...eventMessage(event) }));
  sqs.destroy();
  core.info(`Thaw: ${event.type} sent for ${stackId} (message ${sent.MessageId})`);
  core.setOutput('stack-id', stackId);
  core.setOutput('url', Object.values(urls)[0] ?? '');
  core.setOutput('message-id', sent.MessageId ?? '');
}
