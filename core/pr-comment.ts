import { billedWording, formatHours, type StackCost } from './cost.ts';
import type { PrRef } from './events.ts';
import { primaryFirst } from './views.ts';

export const commentMarker = (stackId: string) => `<!-- thaw:preview stack=${stackId} -->`;

export interface CommentView {
  stackId: string;
  /** A stack state, or what the Action just asked for ("LAUNCH requested"). */
  state: string;
  urls: Record<string, string>;
  images: Record<string, string>;
  pr?: PrRef | null;
  reason?: string | null;
  /** Typical wake time, from history. */
  wakeSeconds?: number;
  cost?: StackCost;
}

const LABELS: Record<string, string> = {
  LAUNCHING: '🚀 Launching',
  UPDATING: '🔄 Updating',
  RUNNING: '✅ Ready',
  FREEZING: '🧊 Freezing',
  FROZEN: '🧊 Frozen (wakes on the first request)',
  RESUMING: '☀️ Waking up',
  DESTROYING: '🧹 Destroying',
  DESTROYED: '🗑️ Destroyed',
  FAILED: '❌ Failed',
};

const escapeCell = (text: string) =>
  text.replace(/[|<>\r\n]/g, (c) => ({ '|': '\\|', '<': '&lt;', '>': '&gt;', '\r': ' ', '\n': ' ' })[c]!);
const usd = (n: number) => (n < 0.01 && n > 0 ? '< $0.01' : `$${n.toFixed(2)}`);

/** The sticky PR comment: one per stack, found again by its hidden marker. */
export function renderComment(view: CommentView): string {
  const lines = [
    commentMarker(view.stackId),
    `### Thaw preview \`${view.stackId}\``,
    '',
    '| | |',
    '|---|---|',
    `| **State** | ${LABELS[view.state] ?? escapeCell(view.state)} |`,
  ];
  if (view.state !== 'DESTROYED') {
    // The URL a person opens first (the service on the stack's own host), then every service's.
    const urls = Object.entries(primaryFirst(view.stackId, view.urls));
    if (urls.length) lines.push(`| **Open** | ${escapeCell(urls[0]![1])} |`);
    if (urls.length > 1)
      for (const [service, url] of urls) lines.push(`| ${escapeCell(service)} | ${escapeCell(url)} |`);
  }
  const images = Object.entries(view.images).map(
    ([service, image]) => `\`${escapeCell(service)}\` ${escapeCell(image)}`,
  );
  if (images.length) lines.push(`| Images | ${images.join('<br>')} |`);
  if (view.pr?.headSha) lines.push(`| Commit | ${view.pr.headSha.slice(0, 7)} |`);
  if (view.reason)
    lines.push('', '**Why it failed**', '```', view.reason.replace(/```/g, "'''").slice(0, 2000), '```');
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
  return `${lines.join('\n')}\n`;
}
