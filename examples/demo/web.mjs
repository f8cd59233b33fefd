// The demo's web front end: one page that calls the api (cross-service traffic through the router).
import { createHash } from 'node:crypto';
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

const server = createServer((req, res) => {
  if (req.url === '/healthz') return res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  // GET /events: a server-sent event stream that sends one event, then stays open until the client leaves.
  if (req.url === '/events') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    return res.write('data: hello\n\n');
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'x-demo-service': 'web' }).end(page());
});
// GET /ws: a WebSocket (the handshake of RFC 6455, then one text frame "hello"; it stays open until the
// client closes it) — a long-lived connection with no other traffic, as a live-reload or chat tab holds.
server.on('upgrade', (req, socket) => {
  socket.on('error', () => {});
  const key = req.headers['sec-websocket-key'];
  if (req.url !== '/ws' || typeof key !== 'string')
    return socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${accept}\r\n\r\n`,
  );
  socket.write(Buffer.from([0x81, 5, ...Buffer.from('hello')]));
  socket.on('end', () => socket.end());
});
server.listen(port, process.env.HOST ?? '0.0.0.0', () => console.log(`web listening on ${port}`));
