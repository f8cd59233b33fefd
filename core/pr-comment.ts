import { billedWording, formatHours, type StackCost } from './cost.ts';
import type { PrRef } from './events.ts';
import { isGitHubLogin } from './ids.ts';
import type { HistoryEntry } from './stack.ts';
import { primaryFirst } from './views.ts';

export const commentMarker = (stackId: string) => `<!-- thaw:preview stack=${stackId} -->`;

export interface CommentView {
  stackId: string;
  /** A stack state, or what the Action just asked for ("LAUNCH requested"). */
  state: string;
  urls: Record<string, string>;
  images: Record<string, string>;
  pr?: PrRef | null;
  /** The last failure's reason (the comment is for the repository's readers: shown in full, up to 2000 characters). */
  reason?: string | null;
  /** When the stack last woke from FROZEN (see lastWake); none when it never did. */
  lastWakeAt?: Date | null;
  /** The time-to-live note the freezer wrote (see expiryNote), shown while it is the newest word. */
  expiry?: string | null;
  /** The stack's keep (KEEP): shown while `until` is after `now`. */
  keep?: { until: string; by: string | null } | null;
  /** When the comment is rendered (default: the current time); a keep that has ended is not shown. */
  now?: Date;
  /** Typical wake time, from history. */
  wakeSeconds?: number;
  cost?: StackCost;
}

/** Each state's emoji and label; the legend under the table lists them in this order. */
const STATES: [state: string, emoji: string, label: string][] = [
  ['LAUNCHING', '🚀', 'Launching'],
  ['UPDATING', '🔄', 'Updating'],
  ['RUNNING', '✅', 'Ready'],
  ['FREEZING', '🧊', 'Freezing'],
  ['FROZEN', '🧊', 'Frozen'],
  ['RESUMING', '☀️', 'Waking up'],
  ['DESTROYING', '🧹', 'Destroying'],
  ['DESTROYED', '🗑️', 'Destroyed'],
  ['FAILED', '❌', 'Failed'],
];
const LABELS = Object.fromEntries(STATES.map(([state, emoji, label]) => [state, `${emoji} ${label}`]));
const DETAIL: Record<string, string> = { FROZEN: ' (wakes on the first request)' };
/** One line: 🚀 launching · 🔄 updating · ✅ ready · 🧊 frozen · ☀️ waking up · … (FREEZING shares 🧊). */
const LEGEND = STATES.filter(([state]) => state !== 'FREEZING')
  .map(([, emoji, label]) => `${emoji} ${label.toLowerCase()}`)
  .join(' · ');
/** The comment commands a reader can use (docs/github-action.md#comment-commands); `/thaw help` lists every one. */
const COMMANDS = ['wake', 'freeze', 'keep 4h', 'destroy', 'status', 'help']
  .map((c) => `\`/thaw ${c}\``)
  .join(' · ');

const escapeCell = (text: string) =>
  text.replace(/[|<>\r\n]/g, (c) => ({ '|': '\\|', '<': '&lt;', '>': '&gt;', '\r': ' ', '\n': ' ' })[c]!);
/** A login as a mention; anything else (it came through the events queue) as plain code. */
const safeMention = (login: string) =>
  isGitHubLogin(login) ? `@${login}` : `\`${login.replace(/`/g, '')}\``;
const usd = (n: number) => (n < 0.01 && n > 0 ? '< $0.01' : `$${n.toFixed(2)}`);
/** A fixed time, since a comment is not re-rendered as time passes: "2026-11-30 07:41 UTC". */
export const utcMinute = (at: Date) => `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** When the stack last started waking from FROZEN (entered RESUMING), from its history; undefined when never. */
export function lastWake(history: Pick<HistoryEntry, 'to' | 'at'>[]): Date | undefined {
  return history.findLast((h) => h.to === 'RESUMING')?.at;
}

/** How the freezer's time-to-live notes in history begin (it writes them; the comment shows them). */
export const TTL_WARNING_PREFIX = 'will be destroyed on';
export const TTL_REACHED_PREFIX = 'destroying: time to live reached';

/**
 * The freezer's time-to-live note while it is the newest entry of the history: anything after it (a
 * wake, a push) has moved on.
 */
export function expiryNote(history: Pick<HistoryEntry, 'detail'>[]): string | undefined {
  const detail = history.at(-1)?.detail ?? '';
  return detail.startsWith(TTL_WARNING_PREFIX) || detail.startsWith(TTL_REACHED_PREFIX) ? detail : undefined;
}

/**
 * The sticky PR comment, one per stack (found again by its hidden marker), as a status board: the state,
 * the URLs (the one to open first), when it last woke, what it cost and what freezing saved, the last
 * failure, then a legend of the states and the `/thaw` commands.
 */
export function renderComment(view: CommentView): string {
  const lines = [
    commentMarker(view.stackId),
    `### Thaw preview \`${view.stackId}\``,
    '',
    '| | |',
    '|---|---|',
    `| **State** | ${LABELS[view.state] ? `${LABELS[view.state]}${DETAIL[view.state] ?? ''}` : escapeCell(view.state)} |`,
  ];
  if (view.state !== 'DESTROYED') {
    // The URL a person opens first (the service on the stack's own host), then every service's.
    const urls = Object.entries(primaryFirst(view.stackId, view.urls));
    if (urls.length) lines.push(`| **Open** | ${escapeCell(urls[0]![1])} |`);
    if (urls.length > 1)
      for (const [service, url] of urls) lines.push(`| ${escapeCell(service)} | ${escapeCell(url)} |`);
  }
  if (view.lastWakeAt) lines.push(`| Last woken | ${utcMinute(view.lastWakeAt)} |`);
  if (
    view.keep &&
    Date.parse(view.keep.until) > (view.now ?? new Date()).getTime() &&
    view.state !== 'DESTROYED'
  )
    lines.push(
      `| Kept awake | until ${utcMinute(new Date(view.keep.until))}${view.keep.by ? ` by ${escapeCell(safeMention(view.keep.by))}` : ''} (\`/thaw keep off\` ends it) |`,
    );
  if (view.expiry) lines.push(`| Expires | ${escapeCell(view.expiry)} |`);
  const images = Object.entries(view.images).map(
    ([service, image]) => `\`${escapeCell(service)}\` ${escapeCell(image)}`,
  );
  if (images.length) lines.push(`| Images | ${images.join('<br>')} |`);
  if (view.pr?.headSha) lines.push(`| Commit | ${view.pr.headSha.slice(0, 7)} |`);
  if (view.reason)
    lines.push(
      '',
      view.state === 'FAILED' ? '**Why it failed**' : '**Last failure**',
      '```',
      view.reason.replace(/```/g, "'''").slice(0, 2000),
      '```',
    );
  if (view.state !== 'DESTROYED' && view.state !== 'FAILED') {
    lines.push(
      '',
      `Idle stacks are frozen (scaled to zero, costing nothing) and wake on the first request${view.wakeSeconds ? `, in about ${view.wakeSeconds} s` : ''}.`,
    );
  }
  if (view.cost) {
    const c = view.cost;
    lines.push(
      `Cost so far ${usd(c.costUsd)}: ${billedWording(c)} in ${formatHours(c.lifetimeHours)} since launch, ${c.wakes} wake${c.wakes === 1 ? '' : 's'} (Fargate bills at least 1 min per start); freezing saved ${usd(c.savedUsd)} compared with always-on.`,
    );
  }
  lines.push('', `<sub>${LEGEND}<br>Comment on this PR: ${COMMANDS}</sub>`);
  return `${lines.join('\n')}\n`;
}
