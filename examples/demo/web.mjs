// The demo's web front end: one page that calls the api (cross-service traffic through the router).
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 3000);
const stack = process.env.THAW_STACK ?? 'demo';
const apiUrl = process.env.API_URL ?? 'http://localhost:4000';
const html = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const page = () => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${html(stack)} · Thaw demo</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1d2330}
code{background:#eef1f6;padding:.1rem .3rem;border-radius:4px}.n{font-size:3rem;font-weight:700}</style></head>
<body><h1>Hello from <code>${html(stack)}</code></h1>
<p>This page is served by the demo's <b>web</b> service. It asks the <b>api</b> service at
<code>${html(apiUrl)}</code> how many visits this stack has seen:</p>
<p class="n" id="visits">…</p><p id="db"></p>
<script>
fetch(${JSON.stringify(`${apiUrl}/api/visits`)}, { method: 'POST' }).then(r => r.json()).then(j => {
  document.getElementById('visits').textContent = j.visits;
  document.getElementById('db').textContent = j.database ? 'Counted in this stack\\'s own PostgreSQL database.' : 'Counted in memory (no database server configured).';
}).catch(e => { document.getElementById('visits').textContent = 'api unreachable: ' + e; });
</script></body></html>`;

createServer((req, res) => {
  if (req.url === '/healthz') return res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'x-demo-service': 'web' }).end(page());
}).listen(port, process.env.HOST ?? '0.0.0.0', () => console.log(`web listening on ${port}`));
