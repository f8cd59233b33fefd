import type { StackCost } from './cost.ts';
import type { ThawEvent } from './events.ts';
import type { HistoryEntry, Stack } from './stack.ts';

/** What the CLI shows of a stack (`thaw status --json`). */
export interface StackView {
  id: string;
  state: Stack['state'];
  lastAccessedAt: string | null;
  failureReason: string | null;
  images: Record<string, string>;
  urls: Record<string, string>;
  updatedAt: string;
}

export interface StackDetail extends StackView {
  history: { event: string; from: string | null; to: string; at: string; detail: string | null }[];
}

/** How CLI commands reach a control plane: a running `thaw dev`, or AWS (queue URL + DATABASE_URL). */
export interface ControlPlaneClient {
  send(events: ThawEvent[]): Promise<void>;
  list(): Promise<StackView[]>;
  get(stackId: string): Promise<StackDetail | undefined>;
  cost(stackId: string): Promise<({ id: string; state: string } & StackCost) | undefined>;
  close(): Promise<void>;
}

export function toView(stack: Stack, urls: Record<string, string>): StackView {
  return {
    id: stack.id,
    state: stack.state,
    lastAccessedAt: stack.lastAccessedAt?.toISOString() ?? null,
    failureReason: stack.failureReason,
    images: stack.images,
    urls,
    updatedAt: stack.updatedAt.toISOString(),
  };
}

export function toHistory(entries: HistoryEntry[]): StackDetail['history'] {
  return entries.map((h) => ({
    event: h.event,
    from: h.from,
    to: h.to,
    at: h.at.toISOString(),
    detail: h.detail,
  }));
}

/**
 * The client for a `thaw dev` running in a directory (found through `<data dir>/dev.json`), with the
 * token it wrote to `<data dir>/control-token`.
 */
export function devClient(controlUrl: string, token: string): ControlPlaneClient {
  const call = async (path: string, init?: RequestInit) => {
    const response = await fetch(`${controlUrl}${path}`, {
      ...init,
      headers: { ...(init?.headers as Record<string, string>), authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(10_000),
    });
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`thaw dev answered ${response.status}: ${await response.text()}`);
    return response.json();
  };
  return {
    async send(events) {
      await call('/events', {
        method: 'POST',
        body: JSON.stringify(events),
        headers: { 'content-type': 'application/json' },
      });
    },
    list: async () => (await call('/stacks')) as StackView[],
    get: async (id) => (await call(`/stacks/${encodeURIComponent(id)}`)) as StackDetail | undefined,
    cost: async (id) =>
      (await call(`/stacks/${encodeURIComponent(id)}/cost`)) as
        | ({ id: string; state: string } & StackCost)
        | undefined,
    close: async () => {},
  };
}
