import { describe, expect, it } from 'vitest';
import { DatabaseNotConfiguredError } from '../../adapters/postgres-databases.ts';
import { parseSpecYaml } from '../../core/spec.ts';
import { parseTask } from '../../core/tasks.ts';
import { loadConfig } from './config.ts';
import { productionExecutors } from './registry.ts';

const env = {
  EVENTS_QUEUE_URL: 'http://localhost:9324/000000000000/thaw-events.fifo',
  TASKS_QUEUE_URL: 'http://localhost:9324/000000000000/thaw-tasks',
  DATABASE_URL: 'postgres://thaw:control-plane-secret@localhost:5432/thaw',
  ECS_CLUSTER: 'thaw',
  STACK_SUBNETS: 'subnet-1',
  STACK_SECURITY_GROUPS: 'sg-1',
  STACK_DOMAIN: 'qa.example.com',
};
const log = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {}, child: () => log } as never;

describe('the tasks Lambda without STACK_DATABASE_ADMIN_URL (issue 13)', () => {
  it("refuses a stack that asks for a database, saying what to set, and never hands out the control plane's URL", async () => {
    const config = loadConfig(env);
    const executors = productionExecutors(config, {
      log,
      store: { history: async () => [] } as never,
    });
    const spec = parseSpecYaml('services:\n  api:\n    image: api\n    port: 3000\n    database: true\n');
    const task = parseTask({
      v: 1,
      stackId: 'pr-1',
      transitionId: 1,
      taskId: 'db',
      spec,
      kind: 'database.create',
    });
    const create = executors['database.create']!;
    const outcome = create(task as never, {} as never);
    await expect(outcome).rejects.toBeInstanceOf(DatabaseNotConfiguredError);
    await expect(outcome).rejects.toThrow(/set STACK_DATABASE_ADMIN_URL/);
  });

  it('reads STACK_DATABASE_TEMPLATES as a list, empty by default', () => {
    expect(loadConfig(env).STACK_DATABASE_TEMPLATES).toEqual([]);
    expect(
      loadConfig({ ...env, STACK_DATABASE_TEMPLATES: 'seed, demo_seed' }).STACK_DATABASE_TEMPLATES,
    ).toEqual(['seed', 'demo_seed']);
  });
});
