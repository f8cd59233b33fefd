// The demo's api: counts visits in the stack's own database when DATABASE_URL is set, else in memory.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 4000);
let visits = 0;
let sql;
if (process.env.DATABASE_URL) {
  const { default: postgres } = await import('postgres');
  sql = postgres(process.env.DATABASE_URL, { max: 2, onnotice: () => {} });
  await sql`CREATE TABLE IF NOT EXISTS visits (id int PRIMARY KEY, n bigint NOT NULL)`;
  await sql`INSERT INTO visits VALUES (1, 0) ON CONFLICT DO NOTHING`;
}

async function count() {
  if (!sql) return ++visits;
  const [row] = await sql`UPDATE visits SET n = n + 1 WHERE id = 1 RETURNING n`;
  return Number(row.n);
}

const cors = { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, POST' };

createServer(async (req, res) => {
  if (req.url === '/healthz') return res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  if (req.method === 'OPTIONS') return res.writeHead(204, cors).end();
  if (req.url === '/api/visits') {
    try {
      const n = req.method === 'POST' ? await count() : visits;
      return res
        .writeHead(200, { 'content-type': 'application/json', ...cors })
        .end(JSON.stringify({ visits: n, database: Boolean(sql), stack: process.env.THAW_STACK }));
    } catch (error) {
      return res
        .writeHead(500, { 'content-type': 'application/json', ...cors })
        .end(JSON.stringify({ error: String(error) }));
    }
  }
  res
    .writeHead(404, { 'content-type': 'application/json', ...cors })
    .end(JSON.stringify({ error: 'not found' }));
}).listen(port, process.env.HOST ?? '0.0.0.0', () => console.log(`api listening on ${port}`));
