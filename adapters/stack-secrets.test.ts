import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, describe, expect, it } from 'vitest';
import type { StackDatabases } from '../core/orchestrator.ts';
import { parseSpec } from '../core/spec.ts';
import { stackExecutors } from '../core/stack-executors.ts';
import { parseTask } from '../core/tasks.ts';
import { motoUrl, requireMoto } from '../test/helpers/moto.ts';
import { createStackSecrets, stackSecretName, withSecretRemoval } from './stack-secrets.ts';

it("runs against moto's Secrets Manager when CI asks for it", () => {
  if (requireMoto) expect(motoUrl, 'THAW_REQUIRE_MOTO=1 but THAW_TEST_MOTO_URL is not set').toBeDefined();
});

it('names a stack secret <prefix>/<stack>/database-url', () => {
  expect(stackSecretName('pr-1')).toBe('thaw/stacks/pr-1/database-url');
  expect(stackSecretName('pr-1', 'qa/stacks')).toBe('qa/stacks/pr-1/database-url');
});

describe.runIf(motoUrl)("stack secrets against moto's Secrets Manager", () => {
  const client = new SecretsManagerClient({
    endpoint: motoUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  const prefix = `thaw-test-${Date.now()}/stacks`;
  const secrets = createStackSecrets({ secrets: client, prefix });
  afterAll(() => client.destroy());

  const value = async (id: string) =>
    (await client.send(new GetSecretValueCommand({ SecretId: id }))).SecretString;
  const exists = (id: string) =>
    client.send(new DescribeSecretCommand({ SecretId: id })).then(
      (d) => !d.DeletedDate,
      (error: Error) => {
        if (error.name === 'ResourceNotFoundException') return false;
        throw error;
      },
    );

  it('creates one tagged secret per stack holding its URL, and updates it in place on the next put', async () => {
    const arn = await secrets.put('pr-1', 'postgres://a:one@db/pr_1');
    expect(arn).toMatch(
      new RegExp(`^arn:aws:secretsmanager:us-east-1:\\d{12}:secret:${prefix}/pr-1/database-url-`),
    );
    expect(await value(arn)).toBe('postgres://a:one@db/pr_1');
    const described = await client.send(new DescribeSecretCommand({ SecretId: arn }));
    expect(described.Tags).toEqual([{ Key: 'thaw:stack', Value: 'pr-1' }]);
    expect(await secrets.put('pr-1', 'postgres://a:two@db/pr_1')).toBe(arn);
    expect(await value(arn)).toBe('postgres://a:two@db/pr_1');
  });

  it('the database.drop task of a DESTROY deletes the secret; twice is harmless', async () => {
    const arn = await secrets.put('pr-2', 'postgres://a:pw@db/pr_2');
    const dropped: string[] = [];
    const databases: StackDatabases = {
      create: async () => {},
      drop: async (id) => {
        dropped.push(id);
      },
      urlFor: (id) => `postgres://a:pw@db/${id}`,
    };
    const executors = stackExecutors({
      orchestrator: {} as never,
      databases: withSecretRemoval(databases, secrets),
    });
    const task = parseTask({
      v: 1,
      stackId: 'pr-2',
      transitionId: 3,
      taskId: 'db',
      kind: 'database.drop',
      spec: parseSpec({ services: { api: { image: 'api', port: 3000, database: true } } }),
    });
    expect(await exists(arn)).toBe(true);
    await executors['database.drop']!(task as never, {} as never);
    expect(dropped).toEqual(['pr-2']);
    expect(await exists(arn)).toBe(false);
    await executors['database.drop']!(task as never, {} as never);
    await secrets.remove('never-launched');
  });
});
