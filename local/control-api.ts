import { Hono } from 'hono';
import { stackCost } from '../core/cost.ts';
import { ValidationError } from '../core/errors.ts';
import { parseEvent, type ThawEvent } from '../core/events.ts';
import { type PublicUrls, stackUrls } from '../core/orchestrator.ts';
import type { EventSender, Store } from '../core/ports.ts';
import { toHistory, toView } from '../core/views.ts';

/**
 * The local control API of `thaw dev`, for `thaw launch|destroy|freeze|wake|status|ls` in the same
 * directory. Events go through the same queue as everything else.
 */
export function createControlApi({
  store,
  events,
  urls,
  idleOverride,
}: {
  store: Store;
  events: EventSender;
  urls: PublicUrls;
  idleOverride?: string;
}) {
  const app = new Hono();
  app.onError((error, c) => {
    if (error instanceof ValidationError) return c.json({ error: error.message, issues: error.issues }, 400);
    return c.json({ error: String(error) }, 500);
  });
  app.post('/events', async (c) => {
    const body = await c.req.json();
    const list: ThawEvent[] = (Array.isArray(body) ? body : [body]).map((raw) => {
      const event = parseEvent(raw);
      // `thaw dev --idle 30s`: stacks launched here freeze after that long.
      return event.type === 'LAUNCH' && idleOverride
        ? { ...event, spec: { ...event.spec, idleTimeout: idleOverride } }
        : event;
    });
    await events.sendEvents(list);
    return c.json({ sent: list.length });
  });
  app.get('/stacks', async (c) => {
    const stacks = await store.list();
    return c.json(stacks.map((s) => toView(s, s.spec ? stackUrls(s.spec, s.id, urls) : {})));
  });
  app.get('/stacks/:id/cost', async (c) => {
    const stack = await store.load(c.req.param('id'));
    if (!stack?.spec) return c.json({ error: 'no such stack' }, 404);
    return c.json({
      id: stack.id,
      state: stack.state,
      ...stackCost(await store.history(stack.id), stack.spec, new Date()),
    });
  });
  app.get('/stacks/:id', async (c) => {
    const stack = await store.load(c.req.param('id'));
    if (!stack) return c.json({ error: 'no such stack' }, 404);
    return c.json({
      ...toView(stack, stack.spec ? stackUrls(stack.spec, stack.id, urls) : {}),
      history: toHistory(await store.history(stack.id)),
    });
  });
  return app;
}
