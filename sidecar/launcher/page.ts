import { html, raw } from 'hono/html';

/**
 * Whether an answer through the router means the app is ready to be shown: it did not come from the
 * launcher (no `x-thaw-launcher`) and is below 500. A 502/503 from the router while the app boots,
 * or an app answering 5xx before it is ready, is not. Runs in the browser too (inlined into the
 * waiting page as source), so it uses nothing but its arguments.
 */
export function answeredByApp(launcherHeader: string | null | undefined, status: number): boolean {
  return !launcherHeader && status < 500;
}

/**
 * Consecutive polls (one a second) answered 5xx by the app itself before the page reloads anyway:
 * an app that always fails must show its error, not a waiting page forever.
 */
export const APP_ERROR_POLLS = 60;

/** What the waiting page and the status JSON show (the same fields). */
export interface LauncherStatus {
  stack: string;
  state: string;
  /** What is happening, for people: waking, launching, routing, failed, gone. */
  phase: 'waking' | 'launching' | 'updating' | 'routing' | 'asleep' | 'failed' | 'gone';
  etaSeconds: number;
  elapsedSeconds: number;
  retryAfterSeconds: number;
  /**
   * Why a FAILED stack failed, for strangers: a short category and an id to quote to whoever runs
   * Thaw. Never the raw reason (it can carry account ids, ARNs, host names); that stays in the logs,
   * the CLI and the PR comment.
   */
  failure?: { category: string; id: string } | null;
}

const TITLES: Record<LauncherStatus['phase'], string> = {
  waking: 'Waking up',
  launching: 'Launching',
  updating: 'Updating',
  routing: 'Almost there',
  asleep: 'Asleep',
  failed: 'This preview failed',
  gone: 'This preview is gone',
};

const STYLE = `body{font:16px/1.5 system-ui,-apple-system,sans-serif;background:#f6f8fb;color:#1d2330;margin:0}
main{max-width:34rem;margin:12vh auto;padding:2rem;background:#fff;border-radius:12px;box-shadow:0 2px 12px #0001}
h1{font-size:1.4rem;margin:0 0 .25rem}code{background:#eef1f6;padding:.1rem .35rem;border-radius:4px}
.bar{height:10px;background:#e6eaf1;border-radius:5px;overflow:hidden;margin:1.5rem 0 .5rem}
.fill{height:100%;width:0;background:linear-gradient(90deg,#4f7cff,#35c4a6);transition:width .8s linear}
.muted{color:#667085;font-size:.9rem}pre{white-space:pre-wrap;background:#fff4f2;padding:.75rem;border-radius:6px}`;

/** The waiting page: escapes every value it shows (hono/html), polls, and reloads once Traefik routes. */
export function waitingPage(status: LauncherStatus) {
  const waiting =
    status.phase === 'waking' ||
    status.phase === 'launching' ||
    status.phase === 'updating' ||
    status.phase === 'routing';
  const percent = Math.min(95, Math.round((100 * status.elapsedSeconds) / Math.max(1, status.etaSeconds)));
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${TITLES[status.phase]} · ${status.stack}</title><style>${STYLE}</style></head>
<body><main>
<h1 id="title">${TITLES[status.phase]}</h1>
<p>Preview <code id="stack">${status.stack}</code> <span id="state" class="muted">(${status.state})</span></p>
${
  waiting
    ? html`<div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${percent}"><div class="fill" id="fill" style="width:${percent}%"></div></div>
<p class="muted" id="eta">About ${status.etaSeconds} s; this page opens the app by itself when it is ready.</p>`
    : ''
}
${status.failure ? html`<p id="failure">${status.failure.category} <span class="muted">(id <code>${status.failure.id}</code>)</span></p>` : ''}
${
  status.phase === 'failed'
    ? html`<form method="post" action="/_thaw/retry"><button type="submit" id="retry">Try again</button></form>`
    : ''
}
${status.phase === 'gone' ? html`<p class="muted">Its pull request was closed, or it was destroyed.</p>` : ''}
</main>
${
  waiting
    ? html`<script>
(() => {
  const eta = ${status.etaSeconds}; let elapsed = ${status.elapsedSeconds}; let seen = Date.now();
  const fill = document.getElementById('fill'), bar = fill.parentElement, etaText = document.getElementById('eta');
  const show = (s) => {
    const p = Math.min(95, Math.round(100 * s.elapsedSeconds / Math.max(1, s.etaSeconds)));
    fill.style.width = p + '%'; bar.setAttribute('aria-valuenow', String(p));
    document.getElementById('state').textContent = '(' + s.state + ')';
    etaText.textContent = s.elapsedSeconds >= s.etaSeconds ? 'Taking a little longer than usual…' : 'About ' + Math.max(1, Math.round(s.etaSeconds - s.elapsedSeconds)) + ' s to go.';
  };
  const answeredByApp = ${raw(answeredByApp.toString())};
  let appErrors = 0;
  const poll = async () => {
    try {
      // The same URL: once Traefik routes to the stack, the answer no longer comes from the launcher.
      // A redirect (opaque, status 0) is the app answering too.
      const r = await fetch(location.href, { headers: { accept: 'application/json' }, cache: 'no-store', redirect: 'manual' });
      const launcher = r.headers.get('x-thaw-launcher');
      if (answeredByApp(launcher, r.status)) { location.reload(); return; }
      if (!launcher) {
        // Routed, but the router or the app answers 5xx: still starting. Give up waiting after a while.
        if (++appErrors >= ${APP_ERROR_POLLS}) { location.reload(); return; }
        etaText.textContent = 'Starting the app…';
      } else if (r.status === 503 || r.status === 200) { appErrors = 0; show(await r.json()); }
      else { location.reload(); return; }
    } catch (e) { /* keep trying */ }
    setTimeout(poll, 1000);
  };
  setTimeout(poll, 1000);
})();
</script>`
    : ''
}
</body></html>`;
}
