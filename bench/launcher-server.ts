// The server side of the launcher benchmark, in its own process: `thaw` (the sidecar app over a frozen
// stack) or `hono` (a bare Hono hello world). Prints its port, and on SIGTERM the RESUME count.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createMemoryStore } from '../adapters/store/memory-store.ts';
import { createStackIndex } from '../core/access-log/stack-index.ts';
import { silentLog } from '../core/ports.ts';
import { transition } from '../core/transition.ts';
import { createSidecarApp } from '../sidecar/launcher/app.ts';
import { createMetrics } from '../sidecar/metrics.ts';
import { freeze, launch, noDbSpec, satisfy } from '../test/helpers/events.ts';

const mode = process.argv[2];
let resumes = 0;
let fetchHandler: (request: Request) => Response | Promise<Response>;

if (mode === 'hono') {
  const app = new Hono();
  app.all('*', (c) => c.text('Hello Hono!'));
  fetchHandler = app.fetch;
} else {
  const store = createMemoryStore();
  const apply = async (event: Parameters<typeof transition>[1]) => {
    const current = await store.load(event.stackId);
    const result = transition(current, event, new Date());
    if (result.kind !== 'ignored') await store.save(result.stack, current, result);
  };
  await apply(launch('bench', { web: 'w' }, noDbSpec));
  for (let i = 0; i < 8; i++) {
    const s = (await store.load('bench'))!;
    const open = s.requirements.find((r) => !r.satisfied);
    if (!open) {
      if (s.state === 'RUNNING') await apply(freeze('bench', null));
      else break;
      continue;
    }
    await apply(satisfy({ stackId: 'bench', transitionId: s.transitionId, taskId: open.taskId }));
  }
  const domain = 'qa.example.com';
  const app = createSidecarApp({
    store,
    index: createStackIndex({ store, domain }),
    events: {
      sendEvents: async (e) => {
        resumes += e.filter((x) => x.type === 'RESUME').length;
      },
    },
    log: silentLog,
    metrics: createMetrics(),
    domain,
    wakesPerMinute: 1_000_000,
    resumeCooldownMs: 3_600_000,
  });
  fetchHandler = app.fetch;
}

const server = serve({ fetch: fetchHandler, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
  console.log(JSON.stringify({ port: info.port })),
);
process.on('SIGTERM', () => {
  console.log(JSON.stringify({ resumes }));
  server.close();
  process.exit(0);
});
