import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('the in-process SQS endpoint', () => {
  it('carries the postinstall patch that makes ReceiveMessage look at the queue at once (scripts/patch-local-sqs.mjs)', () => {
    const require = createRequire(import.meta.url);
    const file = join(dirname(require.resolve('local-aws-sqs/package.json')), 'dist', 'index.js');
    const source = readFileSync(file, 'utf8');
    expect(source).toContain('/* thaw: receive looks at once */');
    expect(source).toContain('c=setInterval(look=()=>');
  });
});
