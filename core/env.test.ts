import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { domainName, integer, parseEnv, postgresUrl, shownValue } from './env.ts';
import { ConfigError } from './errors.ts';

describe('config rules shared by every part', () => {
  it.each(['qa.example.com', 'localhost', 'a-b.c1.example'])('accepts the domain %s', (domain) => {
    expect(domainName().safeParse(domain).success).toBe(true);
  });
  it.each(['QA.example.com', '-a.example.com', 'a..b', 'a.example.com.', 'x_y.example.com', ''])(
    'refuses the domain %j',
    (domain) => {
      expect(domainName().safeParse(domain).success).toBe(false);
    },
  );

  it('lists every problem at once, naming the variable, the value and what is allowed', () => {
    const schema = z.object({ PORT: integer(1, 65535, 8090), DATABASE_URL: postgresUrl() });
    const parse = () => parseEnv(schema, { PORT: '0', DATABASE_URL: 'mysql://x' }, 'sidecar configuration');
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(/PORT: expected an integer 1-65535, got "0"/);
    expect(parse).toThrow(/DATABASE_URL: expected a postgres:\/\/ URL, got "mysql:\/\/x"/);
  });

  it.each([
    ['GITHUB_TOKEN', 'ghp_abc'],
    ['DATABASE_SECRET', 'anything'],
    ['ADMIN_PASSWORD', 'hunter2'],
    ['STACK_DATABASE_URL', ' postgres://u:p@h/db'],
    ['SOME_ENDPOINT', 'https://user:pass@example.com/'],
  ])('never shows the value of %s', (key, value) => {
    expect(shownValue(key, value)).toBe('<redacted>');
  });

  it('shows ordinary values, quoted, and says when nothing was given', () => {
    expect(shownValue('PORT', '0')).toBe('"0"');
    expect(shownValue('PORT', undefined)).toBe('nothing');
  });
});
