import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { answeredByApp, type LauncherStatus, waitingPage } from './page.ts';
import { isRoutedThrough } from './routed.ts';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A stand-in for Traefik: answers every request with the given status, from the launcher or not. */
async function router(status: number, fromLauncher: boolean): Promise<string> {
  server = createServer((_req, res) => {
    res.writeHead(status, fromLauncher ? { 'x-thaw-launcher': '1' } : {});
    res.end();
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('ready means answering: isRoutedThrough', () => {
  it.each([
    [200, false, true],
    [404, false, true],
    [302, false, true],
    [502, false, false],
    [503, false, false],
    [500, false, false],
    [200, true, false],
    [503, true, false],
  ])('status %d, from the launcher: %s → routed %s', async (status, fromLauncher, routed) => {
    const url = await router(status, fromLauncher);
    expect(await isRoutedThrough(url, 'pr-1.qa.example.com')).toBe(routed);
  });
});

const status: LauncherStatus = {
  stack: 'pr-1',
  state: 'RESUMING',
  phase: 'waking',
  etaSeconds: 30,
  elapsedSeconds: 3,
  retryAfterSeconds: 5,
};

/** Runs the waiting page's script against answers to its polls; returns whether it reloaded, and after how many polls. */
async function runPage(answers: { status: number; launcher: boolean; body?: unknown }[]) {
  const page = String(await waitingPage(status));
  const script = /<script>([\s\S]*?)<\/script>/.exec(page)![1]!;
  let reloads = 0;
  let polls = 0;
  const timers: (() => unknown)[] = [];
  const element = () => ({
    style: {},
    textContent: '',
    setAttribute() {},
    parentElement: { setAttribute() {} },
  });
  const context = {
    location: { href: 'http://pr-1.qa.example.com/', reload: () => reloads++ },
    document: { getElementById: element },
    setTimeout: (fn: () => unknown) => timers.push(fn),
    Date,
    Math,
    String,
    fetch: async () => {
      const answer = answers[Math.min(polls++, answers.length - 1)]!;
      return {
        status: answer.status,
        headers: { get: (name: string) => (name === 'x-thaw-launcher' && answer.launcher ? '1' : null) },
        json: async () => answer.body ?? status,
      };
    },
  };
  runInNewContext(script, context);
  for (let step = 0; step < 200 && reloads === 0 && timers.length > 0; step++) await timers.shift()!();
  return { reloads, polls };
}

describe('ready means answering: the waiting page', () => {
  it.each([
    [null, 200, true],
    [null, 404, true],
    [null, 0, true], // an opaque redirect: the app answered
    [null, 502, false],
    [null, 503, false],
    ['1', 200, false],
    ['1', 503, false],
  ])('answeredByApp(launcher %s, status %d) is %s', (launcher, code, ready) => {
    expect(answeredByApp(launcher, code)).toBe(ready);
  });

  it('keeps waiting through the router’s 502s while the app boots, and reloads once the app answers', async () => {
    const result = await runPage([
      { status: 503, launcher: true },
      { status: 502, launcher: false },
      { status: 502, launcher: false },
      { status: 200, launcher: false },
    ]);
    expect(result).toEqual({ reloads: 1, polls: 4 });
  });

  it('reloads anyway when the app keeps answering 5xx, so its error is shown', async () => {
    const result = await runPage([{ status: 500, launcher: false }]);
    expect(result.reloads).toBe(1);
    expect(result.polls).toBeGreaterThan(10);
  });
});
