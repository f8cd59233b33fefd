// The server side of the launcher benchmark, in its own process: `thaw` (the sidecar app over a frozen
// stack) or `hono` (a bare Hono hello world). Prints its port, and on SIGTERM the RESUME count.

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { createMemoryStore } from '../adapters/store/memory-store.ts';
import { createStackIndex } from '../core/access-log/stack-index.ts';
import { silentLog } from '../core/ports.ts';
import { transition } from '../core/transition.ts';
import { createSidecarApp } from '../sidecar/launcher/app.ts';
import { createMetrics } from '../sidecar/metrics.ts';
import { LISTEN_BACKLOG } from '../sidecar/sidecar.ts';
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

// Listens as the sidecar does (sidecar/sidecar.ts: its accept backlog), for both servers alike;
// BENCH_BACKLOG overrides it (511 is Node's default, what the sidecar used before).
const server = createAdaptorServer({ fetch: fetchHandler }) as Server;
server.listen(
  { port: 0, host: '127.0.0.1', backlog: Number(process.env.BENCH_BACKLOG ?? LISTEN_BACKLOG) },
  () => console.log(JSON.stringify({ port: (server.address() as AddressInfo).port })),
);
// What the server saw of the herd: connections accepted and errors on client sockets, by code.
let connections = 0;
const clientErrors: Record<string, number> = {};
server.on('connection', () => {
  connections++;
});
server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
  const code = error.code ?? error.message;
  clientErrors[code] = (clientErrors[code] ?? 0) + 1;
  socket.destroy();
});
process.on('SIGTERM', () => {
  console.log(JSON.stringify({ resumes, server: { connections, clientErrors } }));
  server.close();
  process.exit(0);
});
