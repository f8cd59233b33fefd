import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import * as core from '@actions/core';
import { context, getOctokit } from '@actions/github';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { commentAuthor, INSTALLATION_BOT_LOGIN } from '../../adapters/github-comments.ts';
import { fetchDeploymentsApi } from '../../adapters/github-deployments.ts';
import { loadSpecFile } from '../../adapters/spec-file.ts';
import { createSqsClient, eventMessage } from '../../adapters/sqs.ts';
import { ThawError, ValidationError } from '../../core/errors.ts';
import { newEvent, type PrRef, type ThawEvent } from '../../core/events.ts';
import { stackUrls } from '../../core/orchestrator.ts';
import type { StackSpec } from '../../core/spec.ts';
import type { CommentsApi } from '../../core/sticky-comment.ts';
import type { ActionInputs } from './inputs.ts';
import { locateSpecIssue } from './spec-annotations.ts';

export const repoName = () => `${context.repo.owner}/${context.repo.repo}`;

export function octokitComments(token: string, repo: string, number: number): CommentsApi {
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

/**
 * Loads and validates the spec; when it is invalid, writes one GitHub annotation per problem on the
 * offending line of the file (the runner shows them on the PR's "Files changed" tab and the check),
 * then throws the ValidationError that fails the step.
 */
export async function loadCheckedSpec(specPath: string): Promise<StackSpec> {
  try {
    return await loadSpecFile(specPath);
  } catch (error) {
    if (!(error instanceof ValidationError) || error.subject !== specPath) throw error;
    let text: string;
    try {
      text = readFileSync(specPath, 'utf8');
    } catch {
      throw error; // no file: nothing to annotate
    }
    const file = relative(process.cwd(), resolve(specPath)).split('\\').join('/');
    for (const issue of error.issues) {
      const { line, column } = locateSpecIssue(text, issue);
      core.error(`${issue.path ? `${issue.path}: ` : ''}${issue.message}`, {
        title: 'Invalid thaw.yml',
        file,
        startLine: line,
        startColumn: column,
      });
    }
    throw error;
  }
}

/** The LAUNCH for these inputs: the spec validated (annotated when bad), the images checked against it. */
export async function buildLaunch(
  inputs: ActionInputs,
  stackId: string,
  prRef: PrRef | undefined,
): Promise<{ event: ThawEvent; urls: Record<string, string> }> {
  const spec = await loadCheckedSpec(inputs.specPath);
  const unknown = Object.keys(inputs.images).filter((service) => !(service in spec.services));
  if (unknown.length)
    throw new ValidationError(
      'action inputs',
      unknown.map((service) => ({
        path: 'images',
        message: `service ${service} is not in ${inputs.specPath} (it has ${Object.keys(spec.services).join(', ')})`,
      })),
    );
  const event = newEvent({
    type: 'LAUNCH',
    stackId,
    at: new Date().toISOString(),
    images: inputs.images,
    spec,
    ...(prRef ? { pr: prRef } : {}),
  });
  return { event, urls: stackUrls(spec, stackId, { domain: inputs.domain, scheme: 'https' }) };
}

/**
 * With `deployments: true`: a GitHub Deployment of the PR's head commit for environment
 * preview/<stack>, in_progress with the URL. The backend's notifier ends it (success, failure,
 * inactive). Needs "deployments: write".
 */
export async function startDeployment(
  inputs: ActionInputs,
  stackId: string,
  prRef: PrRef | undefined,
  url: string | undefined,
): Promise<void> {
  if (!inputs.deployments) return;
  if (!prRef?.headSha || !inputs.githubToken) {
    core.warning('Thaw: no deployment created: it needs a pull request head commit and github-token');
    return;
  }
  const api = fetchDeploymentsApi({ apiUrl: context.apiUrl, token: inputs.githubToken, repo: prRef.repo });
  const id = await api.create({ stackId, ref: prRef.headSha, description: `Thaw preview ${stackId}` });
  await api.setStatus(id, {
    state: 'in_progress',
    ...(url ? { environmentUrl: url } : {}),
    description: 'Launching the preview',
  });
  core.info(`Thaw: deployment ${id} created for environment preview/${stackId}`);
}

/** Sends one event to the events queue; returns the SQS message id. */
export async function sendEvent(inputs: ActionInputs, event: ThawEvent): Promise<string> {
  const sqs = createSqsClient(inputs.sqs);
  try {
    const sent = await sqs.send(
      new SendMessageCommand({ QueueUrl: inputs.queueUrl, ...eventMessage(event) }),
    );
    core.info(`Thaw: ${event.type} sent for ${event.stackId} (message ${sent.MessageId})`);
    return sent.MessageId ?? '';
  } finally {
    sqs.destroy();
  }
}
