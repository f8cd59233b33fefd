import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseSpec } from '../core/spec.ts';
import { createProcessOrchestrator } from '../local/process-orchestrator.ts';
import { tinyServerDir } from './helpers/tiny-server.ts';
import { waitFor } from './helpers/wait.ts';

/** Thaw's own settings and secrets, set in this process's environment for the test. */
const secrets: Record<string, string> = {
  DATABASE_URL: 'postgres://thaw:control-plane-secret@127.0.0.1:1/thaw',
  THAW_DATABASE_URL: 'postgres://thaw:control-plane-secret@127.0.0.1:1/thaw',
  THAW_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:1:secret:thaw',
  GITHUB_TOKEN: 'ghs_secret_token_of_thaw',
  AWS_ACCESS_KEY_ID: 'AKIASECRETOFTHAW',
  AWS_SECRET_ACCESS_KEY: 'secret-key-of-thaw',
  AWS_SESSION_TOKEN: 'session-token-of-thaw',
};
const saved = Object.fromEntries(Object.keys(secrets).map((k) => [k, process.env[k]]));
beforeAll(() => Object.assign(process.env, secrets));
afterAll(() => {
  for (const [k, v] of Object.entries(saved))
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
});

it("a service gets its spec's environment, PORT and the basics, and none of Thaw's secrets", async () => {
  const dir = tinyServerDir();
  const dump = join(mkdtempSync(join(tmpdir(), 'thaw-env-')), 'env.json');
  const orchestrator = createProcessOrchestrator({
    dataDir: mkdtempSync(join(tmpdir(), 'thaw-data-')),
    urls: { domain: 'localhost', scheme: 'http', port: 8080 },
    graceMs: 500,
  });
  try {
    const spec = parseSpec({
      services: {
        web: {
          run: `node -e "require('fs').writeFileSync(process.env.DUMP, JSON.stringify(process.env))" && exec node server.mjs web`,
          cwd: dir,
          port: 1,
          env: { DUMP: dump, GREETING: 'hi' },
        },
      },
    });
    await orchestrator.ensure({ stackId: 'pr-11', spec, images: {} });
    await waitFor(() => existsSync(dump) && readFileSync(dump, 'utf8').endsWith('}'), {
      what: 'the service to dump its environment',
    });
    const env = JSON.parse(readFileSync(dump, 'utf8')) as Record<string, string>;
    expect(env).toMatchObject({ DUMP: dump, GREETING: 'hi', THAW_STACK: 'pr-11', PORT: expect.any(String) });
    expect(env.PATH).toBe(process.env.PATH);
    for (const [name, value] of Object.entries(secrets)) {
      expect(env[name], name).toBeUndefined();
      expect(Object.values(env).filter((v) => v.includes(value))).toEqual([]);
    }
  } finally {
    await orchestrator.stopAll();
  }
});
