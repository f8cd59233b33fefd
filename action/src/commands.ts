import * as core from '@actions/core';
import { context, getOctokit } from '@actions/github';
import { COMMENT_HELP, type CommentCommand, parseCommentCommand } from '../../core/comment-commands.ts';
import { ThawError } from '../../core/errors.ts';
import { newEvent, type PrRef, type ThawEvent } from '../../core/events.ts';
import { isGitHubLogin } from '../../core/ids.ts';
import { commentMarker, utcMinute } from '../../core/pr-comment.ts';
import type { ActionInputs } from './inputs.ts';
import { buildLaunch, octokitComments, repoName, sendEvent, startDeployment } from './shared.ts';

interface IssueCommentPayload {
  action?: string;
  issue?: { number: number; pull_request?: unknown };
  comment?: {
    id: number;
    body?: string | null;
    author_association?: string;
    user?: { login?: string; type?: string } | null;
  };
}

/** Associations that already mean write access to the repository (GitHub's author_association). */
const TRUSTED = new Set(['OWNER', 'MEMBER', 'COLLABORATOR']);
/** Permissions (collaborator-permission API) that may run commands. */
const WRITE = new Set(['admin', 'maintain', 'write']);

const safeLogin = (login: string) => (isGitHubLogin(login) ? `@${login}` : 'there');

/**
 * `/thaw …` in a pull request comment (`issue_comment` created). Reacts 👀 at once, checks that the
 * author has write access (author_association, else the collaborator-permission API), then sends the
 * command's event and reacts 🎉, or replies why not and reacts 😕. Replies never quote the comment.
 */
export async function runCommentCommand(inputs: ActionInputs): Promise<void> {
  const payload = context.payload as IssueCommentPayload;
  const { issue, comment } = payload;
  if (payload.action !== 'created' || !issue || !comment) {
    core.notice(`Thaw: nothing to do — issue_comment "${payload.action ?? ''}" is not a new comment.`);
    return;
  }
  if (!issue.pull_request) {
    core.notice('Thaw: nothing to do — the comment is on an issue, not a pull request.');
    return;
  }
  const parsed = parseCommentCommand(comment.body ?? '');
  if (parsed.kind === 'none' || comment.user?.type === 'Bot') {
    core.notice('Thaw: nothing to do — the comment is not a /thaw command.');
    return;
  }
  if (!inputs.githubToken)
    throw new ThawError('comment commands need github-token (pull-requests: write) to react and reply');

  const repo = repoName();
  const octokit = getOctokit(inputs.githubToken);
  const { owner, repo: name } = context.repo;
  const login = comment.user?.login ?? '';
  const who = safeLogin(login);
  const react = async (content: 'eyes' | 'hooray' | 'confused') => {
    await octokit.rest.reactions.createForIssueComment({
      owner,
      repo: name,
      comment_id: comment.id,
      content,
    });
  };
  const reply = async (body: string) => {
    await octokit.rest.issues.createComment({ owner, repo: name, issue_number: issue.number, body });
  };
  const stackId = inputs.stackId ?? `pr-${issue.number}`;

  await react('eyes');
  try {
    if (!(await mayCommand(octokit, owner, name, login, comment.author_association))) {
      core.notice(`Thaw: ${login || 'a deleted account'} has no write access; nothing sent.`);
      await reply(
        `${who}, only people with write access to this repository can run Thaw commands, so nothing was done. Ask a maintainer to run it for you.`,
      );
      await react('confused');
      return;
    }
    if (parsed.kind === 'invalid') {
      await reply(`${who}, ${parsed.why} Nothing was done.\n\n${COMMENT_HELP}`);
      await react('confused');
      return;
    }
    const outcome = await execute(parsed.command, {
      inputs,
      login,
      stackId,
      repo,
      issueNumber: issue.number,
      octokit,
    });
    core.setOutput('stack-id', stackId);
    if (outcome.messageId) core.setOutput('message-id', outcome.messageId);
    if (outcome.url) core.setOutput('url', outcome.url);
    await reply(`${who}, ${outcome.text}`);
    await react(outcome.ok ? 'hooray' : 'confused');
  } catch (error) {
    await react('confused').catch(() => undefined);
    throw error;
  }
}

async function mayCommand(
  octokit: ReturnType<typeof getOctokit>,
  owner: string,
  repo: string,
  login: string,
  association: string | undefined,
): Promise<boolean> {
  if (association && TRUSTED.has(association)) return true;
  if (!login) return false;
  // CONTRIBUTOR, NONE, …: they may still have write access through a team; ask.
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({
      owner,
      repo,
      username: login,
    });
    return WRITE.has(data.permission) || WRITE.has((data as { role_name?: string }).role_name ?? '');
  } catch (error) {
    if ((error as { status?: number }).status === 404) return false; // not a collaborator
    throw error;
  }
}

interface Outcome {
  ok: boolean;
  text: string;
  messageId?: string;
  url?: string;
}

async function execute(
  command: CommentCommand,
  {
    inputs,
    login,
    stackId,
    repo,
    issueNumber,
    octokit,
  }: {
    inputs: ActionInputs;
    login: string;
    stackId: string;
    repo: string;
    issueNumber: number;
    octokit: ReturnType<typeof getOctokit>;
  },
): Promise<Outcome> {
  const { owner, repo: name } = context.repo;
  if (command.kind === 'help') return { ok: true, text: `these are Thaw's commands:\n\n${COMMENT_HELP}` };
  if (command.kind === 'keep' && command.durationMs > inputs.maxKeepMs)
    return {
      ok: false,
      text: `\`/thaw keep ${command.duration}\` is longer than this workflow allows (max-keep: ${inputs.maxKeep}), so nothing was sent. Ask for ${inputs.maxKeep} or less; time kept awake is billed.`,
    };

  // The fork rule: a pull request from a fork runs its code only with allow-forks.
  const { data: pull } = await octokit.rest.pulls.get({ owner, repo: name, pull_number: issueNumber });
  const forked = pull.head.repo?.full_name !== pull.base.repo.full_name;
  const wakes =
    command.kind === 'wake' ||
    command.kind === 'relaunch' ||
    (command.kind === 'keep' && command.durationMs > 0);
  if (forked && !inputs.allowForks && wakes)
    return {
      ok: false,
      text: `this pull request comes from a fork, and its code would run in your AWS account: \`/thaw ${command.kind}\` needs allow-forks: true in the workflow. Nothing was sent.`,
    };

  const sticky = inputs.comment
    ? await findPreviewComment(inputs.githubToken, repo, issueNumber, stackId)
    : undefined;
  const where = sticky
    ? `[The preview comment](${sticky}) shows the state as it changes.`
    : `There is no preview comment for \`${stackId}\` on this pull request${inputs.comment ? ', so it was probably never launched' : ''}: the Action cannot see Thaw's store, and the control plane ignores commands for stacks it does not know.`;
  if (command.kind === 'status')
    return {
      ok: true,
      text: sticky
        ? `Thaw's state for \`${stackId}\` is in [the preview comment](${sticky}), which the control plane keeps current.`
        : where,
    };

  const prRef: PrRef = {
    repo,
    number: issueNumber,
    headSha: pull.head.sha,
    ...(pull.html_url ? { url: pull.html_url } : {}),
  };
  const at = new Date().toISOString();
  let event: ThawEvent;
  let url: string | undefined;
  switch (command.kind) {
    case 'wake':
      event = newEvent({ type: 'RESUME', stackId, at });
      break;
    case 'freeze':
      event = newEvent({ type: 'FREEZE', stackId, at, seenAccessAt: null, manual: true });
      break;
    case 'keep': {
      const until = new Date(Date.parse(at) + command.durationMs).toISOString();
      event = newEvent({ type: 'KEEP', stackId, at, until, ...(isGitHubLogin(login) ? { by: login } : {}) });
      const kept =
        command.durationMs > 0
          ? `It stays awake until ${utcMinute(new Date(until))} (a frozen preview wakes now); \`/thaw keep off\` ends that sooner.`
          : 'The keep is off: the preview freezes again once it is idle.';
      const messageId = await sendEvent(inputs, event);
      return {
        ok: true,
        text: `\`/thaw keep ${command.duration}\`: KEEP sent for \`${stackId}\`. ${kept} ${where}`,
        messageId,
      };
    }
    case 'destroy':
      event = newEvent({ type: 'DESTROY', stackId, at });
      break;
    case 'relaunch': {
      // The images are built by the workflow's push job; a comment run only knows them when the
      // workflow passes them (computed from the PR's head commit). Otherwise a push relaunches.
      if (!Object.keys(inputs.images).length)
        return {
          ok: false,
          text: `\`/thaw relaunch\` needs the images of this pull request, which this workflow does not pass on comments, so nothing was sent. Push a commit (or re-run the preview workflow's last run for this pull request) to launch \`${stackId}\` again.`,
        };
      const launch = await buildLaunch(inputs, stackId, prRef);
      event = launch.event;
      url = Object.values(launch.urls)[0];
      await startDeployment(inputs, stackId, prRef, url);
      break;
    }
  }
  const messageId = await sendEvent(inputs, event);
  return {
    ok: true,
    text: `\`/thaw ${command.kind}\`: ${event.type} sent for \`${stackId}\`. ${where}`,
    messageId,
    ...(url ? { url } : {}),
  };
}

/** The URL of the sticky preview comment of the stack, written by the token's own identity. */
async function findPreviewComment(
  token: string,
  repo: string,
  number: number,
  stackId: string,
): Promise<string | undefined> {
  const api = octokitComments(token, repo, number);
  const me = (await api.identity()).toLowerCase();
  const marker = commentMarker(stackId);
  for (let page = 1; ; page++) {
    const comments = await api.list(page, 100);
    const found = comments.find((c) => c.author.toLowerCase() === me && c.body.includes(marker));
    if (found) return `${context.serverUrl}/${repo}/pull/${number}#issuecomment-${found.id}`;
    if (comments.length < 100) return undefined;
  }
}
