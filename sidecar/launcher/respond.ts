import type { Context } from 'hono';
import type { Metrics } from '../metrics.ts';
import { type LauncherStatus, waitingPage } from './page.ts';

/**
 * How the launcher answers with a status: the waiting page for browsers, JSON for the rest, with
 * Retry-After and the launcher's marker header. The hot path under a herd: one labelled counter child
 * per state and code, and one serialized body per stack and second, reused across requests.
 */
export function createResponder(metrics: Metrics) {
  const wantsHtml = (c: Context) => (c.req.header('accept') ?? '').includes('text/html');

  // Hot path under a herd: one labelled counter child and one serialized body per stack and second.
  const counters = new Map<string, ReturnType<Metrics['responses']['labels']>>();
  const count = (state: string, code: number) => {
    const key = `${state}:${code}`;
    let counter = counters.get(key);
    if (!counter) {
      counter = metrics.responses.labels(state, String(code));
      counters.set(key, counter);
    }
    counter.inc();
  };
  const bodies = new Map<string, string>();
  const jsonBody = (status: LauncherStatus) => {
    const key = `${status.stack}:${status.state}:${status.phase}:${status.elapsedSeconds}:${status.etaSeconds}:${status.failure?.id ?? ''}:${status.failure?.category ?? ''}`;
    let body = bodies.get(key);
    if (body === undefined) {
      if (bodies.size > 1000) bodies.clear();
      body = JSON.stringify(status);
      bodies.set(key, body);
    }
    return body;
  };

  const respond = (c: Context, status: LauncherStatus, code: 200 | 404 | 410 | 502 | 503) => {
    count(status.state, code);
    const headers: Record<string, string> = { 'cache-control': 'no-store', 'x-thaw-launcher': '1' };
    if (status.retryAfterSeconds > 0) headers['retry-after'] = String(status.retryAfterSeconds);
    if (wantsHtml(c)) return c.html(waitingPage(status), code, headers);
    headers['content-type'] = 'application/json';
    return c.body(jsonBody(status), code, headers);
  };

  /** An unknown host: reveals nothing about which stacks exist. */
  const notFound = (c: Context) => {
    count('UNKNOWN', 404);
    return wantsHtml(c)
      ? c.html('<!doctype html><title>Not found</title><p>No preview here.</p>', 404)
      : c.json({ error: 'no preview here' }, 404);
  };

  return { respond, notFound };
}
