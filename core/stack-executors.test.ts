import { describe, expect, it } from 'vitest';
import type { Orchestrator, StackStatus, StackTarget } from './orchestrator.ts';
import { parseSpec } from './spec.ts';
import { stackExecutors } from './stack-executors.ts';
import type { TaskOf } from './tasks.ts';

const spec = parseSpec({ services: { api: { image: 'x', port: 80, health: '/healthz' } } });
const awaitReady: TaskOf<'services.await-ready'> = {
  v: 1,
  kind: 'services.await-ready',
  stackId: 'pr-1',
  transitionId: 7,
  taskId: 'await',
  spec,
  attempt: 0,
  to: 'spec',
};
const context = { log: { info() {}, warn() {}, error() {}, debug() {} } as never, receiveCount: 1 };

/** An orchestrator that answers `status` with what it is given, and records what it was asked. */
function scripted(status: StackStatus) {
  const targets: StackTarget[] = [];
  const orchestrator: Orchestrator = {
    ensure: async (target) => void targets.push(target),
    scale: async (target) => void targets.push(target),
    status: async (target) => {
      targets.push(target);
      return status;
    },
    remove: async () => {},
  };
  return { orchestrator, targets };
}

describe('stackExecutors services.await-ready', () => {
  const waiting: StackStatus = {
    ready: false,
    services: [
      {
        service: 'api',
        desired: 1,
        running: 1,
        ready: false,
        endpoints: [],
        waiting: 'GET http://10.0.3.7:80/healthz: answered 503',
      },
    ],
  };

  it('with no inline window, checks once per delivery and re-queues after readyPollSeconds, saying why it waits', async () => {
    const { orchestrator, targets } = scripted(waiting);
    const executors = stackExecutors({ orchestrator, readyPollSeconds: 10, inlineWaitMs: 0 });
    const result = await executors['services.await-ready']!(awaitReady, context);
    expect(targets).toHaveLength(1);
    expect(result).toEqual({
      kind: 'wait',
      delaySeconds: 10,
      note: 'api 1/1 (GET http://10.0.3.7:80/healthz: answered 503)',
    });
  });

  it('fails after the timeout with the last reason, and hands the transition to the orchestrator', async () => {
    const { orchestrator, targets } = scripted(waiting);
    const executors = stackExecutors({
      orchestrator,
      readyPollSeconds: 10,
      readyTimeoutSeconds: 30,
      inlineWaitMs: 0,
    });
    const result = await executors['services.await-ready']!({ ...awaitReady, attempt: 2 }, context);
    expect(result).toEqual({
      kind: 'failed',
      reason: 'not ready after 30s (api 1/1 (GET http://10.0.3.7:80/healthz: answered 503))',
    });
    await executors['services.deploy']!(
      { ...awaitReady, kind: 'services.deploy', images: { api: '1' } },
      context,
    );
    expect(targets.map((t) => t.transitionId)).toEqual([7, 7]);
  });
});
