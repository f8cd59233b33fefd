import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.ts';
import { resolveDatabaseUrl, resolveGitHubToken } from './runtime.ts';

const secrets = (SecretString: string | undefined, calls: unknown[] = []) => ({
  send: (async (command: { input: unknown }) => {
    calls.push(command.input);
    return { SecretString };
  }) as never,
});

describe('resolveDatabaseUrl', () => {
  it('uses DATABASE_URL when given, without asking Secrets Manager', async () => {
    const calls: unknown[] = [];
    expect(await resolveDatabaseUrl({ DATABASE_URL: 'postgres://a@h/db' }, secrets('x', calls))).toBe(
      'postgres://a@h/db',
    );
    expect(calls).toEqual([]);
  });

  it('reads the URL from the secret named by DATABASE_SECRET_ARN', async () => {
    const calls: unknown[] = [];
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:thaw/database-url-AbCdEf';
    expect(
      await resolveDatabaseUrl(
        { DATABASE_SECRET_ARN: arn },
        secrets('postgres://thaw:pw@db:5432/thaw\n', calls),
      ),
    ).toBe('postgres://thaw:pw@db:5432/thaw');
    expect(calls).toEqual([{ SecretId: arn }]);
  });

  it('refuses a secret that holds something else, without echoing it', async () => {
    const error = await resolveDatabaseUrl(
      { DATABASE_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x' },
      secrets('hunter2'),
    ).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error.message)).not.toContain('hunter2');
  });
});

describe('resolveGitHubToken', () => {
  const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:thaw/github-token-AbCdEf';

  it('uses GITHUB_TOKEN when given (local, tests), without asking Secrets Manager', async () => {
    const calls: unknown[] = [];
    expect(await resolveGitHubToken({ GITHUB_TOKEN: 'ghp_direct' }, secrets('x', calls))).toBe('ghp_direct');
    expect(calls).toEqual([]);
  });

  it('reads the token from the secret named by GITHUB_TOKEN_SECRET_ARN', async () => {
    const calls: unknown[] = [];
    expect(await resolveGitHubToken({ GITHUB_TOKEN_SECRET_ARN: arn }, secrets('ghp_stored\n', calls))).toBe(
      'ghp_stored',
    );
    expect(calls).toEqual([{ SecretId: arn }]);
  });

  it('no token and no secret: undefined (the notifier only logs); an empty secret is a ConfigError', async () => {
    const calls: unknown[] = [];
    expect(await resolveGitHubToken({}, secrets('x', calls))).toBeUndefined();
    expect(calls).toEqual([]);
    const error = await resolveGitHubToken({ GITHUB_TOKEN_SECRET_ARN: arn }, secrets('  ')).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error.message)).toContain('GITHUB_TOKEN_SECRET_ARN');
  });
});
