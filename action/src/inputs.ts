import * as core from '@actions/core';
import { DURATION_RULE, parseDuration } from '../../core/duration.ts';
import { domainName } from '../../core/env.ts';
import { type InputIssue, ValidationError } from '../../core/errors.ts';
import { isStackId, STACK_ID_RULE } from '../../core/ids.ts';

export interface ActionInputs {
  queueUrl: string;
  domain: string;
  stackId: string | undefined;
  images: Record<string, string>;
  specPath: string;
  command: 'auto' | 'launch' | 'destroy';
  githubToken: string;
  comment: boolean;
  allowForks: boolean;
  /** Create a GitHub Deployment (environment preview/<stack>) for each LAUNCH. */
  deployments: boolean;
  /** The longest `/thaw keep` allowed, as written ("8h") and in ms: a keep costs money while it lasts. */
  maxKeep: string;
  maxKeepMs: number;
  /** THAW_SQS_ENDPOINT: a local SQS endpoint, for tests; dummy credentials unless AWS_ACCESS_KEY_ID is set. */
  sqs: { endpoint: string | undefined; localCredentials: boolean };
}

/** `/thaw keep` at most this long unless the workflow says otherwise (action.yml's max-keep). */
export const DEFAULT_MAX_KEEP = '8h';

const IMAGE_LINE = /^([a-z][a-z0-9-]{0,19})\s*=\s*(\S+)$/;

/** `images`: one `service=image:tag` per line; blank lines and # comments are ignored. */
export function parseImageLines(text: string): { images: Record<string, string>; issues: InputIssue[] } {
  const images: Record<string, string> = {};
  const issues: InputIssue[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const match = IMAGE_LINE.exec(line);
    if (!match)
      issues.push({
        path: `images (line ${index + 1})`,
        message: `expected service=image:tag, e.g. web=ghcr.io/acme/web:sha-1a2b3c, got ${JSON.stringify(line)}`,
      });
    else if (match[1]! in images)
      issues.push({ path: `images (line ${index + 1})`, message: `service ${match[1]} is listed twice` });
    else images[match[1]!] = match[2]!;
  });
  return { images, issues };
}

/** Reads every input once, validates them all, and fails listing every problem before doing anything. */
export function readInputs(env: NodeJS.ProcessEnv = process.env): ActionInputs {
  const issues: InputIssue[] = [];
  const queueUrl = core.getInput('queue-url');
  if (!/^https?:\/\/\S+$/.test(queueUrl))
    issues.push({
      path: 'queue-url',
      message: `expected the URL of Thaw's events queue (…/thaw-events.fifo), got ${JSON.stringify(queueUrl)}`,
    });
  const domain = core.getInput('domain');
  const domainCheck = domainName().safeParse(domain);
  if (!domainCheck.success)
    issues.push({
      path: 'domain',
      message: `${domainCheck.error.issues[0]?.message}, got ${JSON.stringify(domain)}`,
    });
  const stackId = core.getInput('stack-id') || undefined;
  if (stackId !== undefined && !isStackId(stackId))
    issues.push({ path: 'stack-id', message: `expected ${STACK_ID_RULE}, got ${JSON.stringify(stackId)}` });
  const { images, issues: imageIssues } = parseImageLines(core.getInput('images'));
  issues.push(...imageIssues);
  const command = core.getInput('command') || 'auto';
  if (command !== 'auto' && command !== 'launch' && command !== 'destroy')
    issues.push({
      path: 'command',
      message: `expected auto, launch or destroy, got ${JSON.stringify(command)}`,
    });
  const bool = (name: string, fallback: boolean) => {
    const value = core.getInput(name);
    if (value === '') return fallback;
    if (['true', 'false'].includes(value)) return value === 'true';
    issues.push({ path: name, message: `expected true or false, got ${JSON.stringify(value)}` });
    return fallback;
  };
  const comment = bool('comment', true);
  const allowForks = bool('allow-forks', false);
  const deployments = bool('deployments', false);
  const maxKeep = core.getInput('max-keep') || DEFAULT_MAX_KEEP;
  const maxKeepMs = parseDuration(maxKeep);
  if (maxKeepMs === undefined || maxKeepMs <= 0)
    issues.push({ path: 'max-keep', message: `expected ${DURATION_RULE}, got ${JSON.stringify(maxKeep)}` });
  const githubToken = core.getInput('github-token');
  if (githubToken) core.setSecret(githubToken);
  if (issues.length) throw new ValidationError('action inputs', issues);
  return {
    queueUrl,
    domain,
    stackId,
    images,
    specPath: core.getInput('spec') || 'thaw.yml',
    command: command as ActionInputs['command'],
    githubToken,
    comment,
    allowForks,
    deployments,
    maxKeep,
    maxKeepMs: maxKeepMs ?? parseDuration(DEFAULT_MAX_KEEP)!,
    sqs: {
      endpoint: env.THAW_SQS_ENDPOINT || undefined,
      localCredentials: !!env.THAW_SQS_ENDPOINT && !env.AWS_ACCESS_KEY_ID,
    },
  };
}
