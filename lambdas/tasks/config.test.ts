import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.ts';
import { loadConfig } from './config.ts';

const base = {
  EVENTS_QUEUE_URL: 'http://localhost:9324/000000000000/thaw-events.fifo',
  TASKS_QUEUE_URL: 'http://localhost:9324/000000000000/thaw-tasks',
  DATABASE_URL: 'postgres://thaw:pw@localhost:5432/thaw',
  ECS_CLUSTER: 'thaw',
  STACK_SUBNETS: 'subnet-1',
  STACK_SECURITY_GROUPS: 'sg-1',
  STACK_DOMAIN: 'qa.example.com',
};
const problems = (env: Record<string, string>) => {
  try {
    loadConfig({ ...base, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('tasks Lambda configuration', () => {
  it('checks readiness over HTTP unless told otherwise, every 10 s, without registry credentials', () => {
    expect(loadConfig(base)).toMatchObject({ READY_CHECK: 'http', READY_POLL_SECONDS: 10 });
    expect(loadConfig(base).REGISTRY_CREDENTIALS_ARN).toBeUndefined();
  });

  it('reads REGISTRY_CREDENTIALS_ARN, a Secrets Manager secret ARN, and refuses anything else', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:thaw/registry-AbCdEf';
    expect(loadConfig({ ...base, REGISTRY_CREDENTIALS_ARN: arn }).REGISTRY_CREDENTIALS_ARN).toBe(arn);
    expect(problems({ REGISTRY_CREDENTIALS_ARN: 'ghcr-token' })).toMatch(
      /REGISTRY_CREDENTIALS_ARN.*expected a Secrets Manager secret ARN/,
    );
  });

  it('reads GITHUB_TOKEN_SECRET_ARN (the token from Secrets Manager) and refuses a token in its place, without showing it', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:thaw/github-token-AbCdEf';
    expect(loadConfig({ ...base, GITHUB_TOKEN_SECRET_ARN: arn }).GITHUB_TOKEN_SECRET_ARN).toBe(arn);
    expect(loadConfig(base).GITHUB_TOKEN_SECRET_ARN).toBeUndefined();
    const message = problems({ GITHUB_TOKEN_SECRET_ARN: 'ghp_secretvalue123' });
    expect(message).toMatch(/GITHUB_TOKEN_SECRET_ARN.*expected a Secrets Manager secret ARN/);
    expect(message).not.toContain('ghp_secretvalue123');
    // Local mode and tests still hand the token directly.
    expect(loadConfig({ ...base, GITHUB_TOKEN: 'ghp_x' }).GITHUB_TOKEN).toBe('ghp_x');
  });

  it('refuses readiness polls faster than every 2 s (each costs ECS calls) and an unknown check', () => {
    expect(problems({ READY_POLL_SECONDS: '1' })).toMatch(/READY_POLL_SECONDS/);
    expect(loadConfig({ ...base, READY_POLL_SECONDS: '2' }).READY_POLL_SECONDS).toBe(2);
    expect(problems({ READY_CHECK: 'tcp' })).toMatch(/READY_CHECK.*expected http or ecs/);
  });
});

describe('STACK_CAPACITY_PROVIDER_STRATEGY', () => {
  it('is on-demand (empty) unless set, and reads provider:weight:base lists', () => {
    expect(loadConfig(base).STACK_CAPACITY_PROVIDER_STRATEGY).toEqual([]);
    expect(
      loadConfig({ ...base, STACK_CAPACITY_PROVIDER_STRATEGY: 'FARGATE_SPOT:1:0,FARGATE:0:1' })
        .STACK_CAPACITY_PROVIDER_STRATEGY,
    ).toEqual([
      { capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 },
      { capacityProvider: 'FARGATE', weight: 0, base: 1 },
    ]);
  });

  it.each(['SPOT:1:0', 'FARGATE_SPOT:1', 'FARGATE_SPOT:x:0', 'FARGATE_SPOT:1:0,'])(
    'refuses %j, saying the format',
    (value) => {
      expect(problems({ STACK_CAPACITY_PROVIDER_STRATEGY: value })).toMatch(
        /STACK_CAPACITY_PROVIDER_STRATEGY: expected provider:weight:base/,
      );
    },
  );
});
