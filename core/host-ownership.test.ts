import { describe, expect, it } from 'vitest';
import { parseEvent } from './events.ts';
import {
  collisionReason,
  hostCollisions,
  hostOwners,
  needsHostCheck,
  refuseStart,
} from './host-ownership.ts';
import { parseSpec, type StackSpec } from './spec.ts';
import { transition } from './transition.ts';

const spec = (hosts: Record<string, string>): StackSpec =>
  parseSpec({
    services: Object.fromEntries(
      Object.entries(hosts).map(([name, host]) => [
        name,
        { image: `ghcr.io/acme/${name}`, port: 3000, host },
      ]),
    ),
  });

describe('hostCollisions', () => {
  it.each([
    // [stack, its hosts, other stack, its hosts, colliding hosts]
    ['pr-1-api', { web: '{stack}' }, 'pr-1', { api: '{stack}-api' }, ['pr-1-api']],
    ['pr-1', { api: '{stack}-api' }, 'pr-1-api', { web: '{stack}' }, ['pr-1-api']],
    ['api-pr-1', { web: '{stack}' }, 'pr-1', { api: 'api-{stack}' }, ['api-pr-1']],
    ['pr-2', { web: '{stack}', api: 'api-{stack}' }, 'pr-1', { web: '{stack}', api: 'api-{stack}' }, []],
    ['pr-1', { web: '{stack}' }, 'pr-10', { web: '{stack}' }, []],
    ['pr-2', { web: 'shop-{stack}' }, 'pr-1', { web: 'shop-{stack}' }, []],
    ['shop-pr-1', { web: '{stack}' }, 'pr-1', { web: 'shop-{stack}' }, ['shop-pr-1']],
    ['a-b', { web: '{stack}-c' }, 'a', { web: '{stack}-b-c' }, ['a-b-c']],
    [
      'a-b',
      { web: '{stack}-c', api: 'x-{stack}' },
      'a',
      { web: '{stack}-b-c', api: 'x-{stack}-b' },
      ['a-b-c', 'x-a-b'],
    ],
  ] as const)('%s %j against %s %j → %j', (stackId, mine, otherId, theirs, expected) => {
    const collisions = hostCollisions(stackId, spec(mine), [{ id: otherId, spec: spec(theirs) }]);
    expect(collisions.map((c) => c.host)).toEqual(expected);
    for (const c of collisions) expect(c.otherStack).toBe(otherId);
  });

  it('never collides with itself, nor with a tombstone (no spec)', () => {
    const mine = spec({ web: '{stack}' });
    expect(hostCollisions('pr-1', mine, [{ id: 'pr-1', spec: mine }])).toEqual([]);
    expect(hostCollisions('pr-1', mine, [{ id: 'pr-0', spec: null }])).toEqual([]);
  });

  it('two services of one stack on one host (path prefixes) count once', () => {
    const shared = parseSpec({
      services: {
        web: { image: 'ghcr.io/acme/web', port: 3000, host: '{stack}' },
        api: { image: 'ghcr.io/acme/api', port: 4000, host: '{stack}', pathPrefix: '/api' },
      },
    });
    expect([...hostOwners(shared, 'pr-1')]).toEqual([['pr-1', 'web']]);
  });

  it('the reason names the host, both services and the other stack', () => {
    const reason = collisionReason(
      hostCollisions('pr-1-api', spec({ web: '{stack}' }), [
        { id: 'pr-1', spec: spec({ api: '{stack}-api' }) },
      ]),
    );
    expect(reason).toBe(
      'refused: host pr-1-api (service web) is already served by live stack pr-1 (service api); hosts must be unique across live stacks: change "host" in thaw.yml or destroy pr-1',
    );
  });
});

describe('needsHostCheck and refuseStart', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const launch = parseEvent({
    v: 1,
    type: 'LAUNCH',
    stackId: 'pr-1-api',
    at: now.toISOString(),
    images: { web: 'w:1' },
    spec: { services: { web: { image: 'ghcr.io/acme/web', port: 3000 } } },
  });

  it('a LAUNCH of a new stack needs the check; refused, it fails like a failed task: FAILED with the reason, nothing deployed, the PR told', () => {
    const result = transition(undefined, launch, now);
    if (result.kind === 'ignored') throw new Error('expected a transition');
    expect(needsHostCheck(result.stack, undefined)).toBe(true);
    const refused = refuseStart(result.stack, result.history, 'refused: taken by pr-1', now);
    expect(refused.stack).toMatchObject({
      state: 'FAILED',
      failureReason: 'refused: taken by pr-1',
      failedIn: 'LAUNCHING',
    });
    expect(refused.history.map((h) => [h.event, h.from, h.to])).toEqual([
      ['LAUNCH', null, 'LAUNCHING'],
      ['TASK_FAILED', 'LAUNCHING', 'FAILED'],
    ]);
    expect(refused.history[1]!.detail).toBe('refused: taken by pr-1; scaling services to zero');
    expect(refused.tasks.map((t) => t.kind).sort()).toEqual(['notify', 'services.scale']);
    // Only entering a starting state needs it: not a stable state, nor a write within the same transition.
    expect(needsHostCheck({ ...result.stack, state: 'RUNNING' }, result.stack)).toBe(false);
    expect(needsHostCheck(result.stack, result.stack)).toBe(false);
  });

  it('a refused update of a running stack fails like a failed update: services scaled to zero, the reason as is', () => {
    const launched = transition(undefined, launch, now);
    if (launched.kind === 'ignored') throw new Error('expected a transition');
    const running = { ...launched.stack, state: 'RUNNING' as const, requirements: [], version: 3 };
    const push = parseEvent({
      ...launch,
      at: new Date(now.getTime() + 1000).toISOString(),
      images: { web: 'w:2' },
    });
    const update = transition(running, push, now);
    if (update.kind === 'ignored') throw new Error('expected a transition');
    expect(update.stack.state).toBe('UPDATING');
    expect(needsHostCheck(update.stack, running)).toBe(true);
    const refused = refuseStart(update.stack, update.history, 'refused: taken by pr-1', now);
    expect(refused.stack).toMatchObject({ state: 'FAILED', failureReason: 'refused: taken by pr-1' });
    expect(refused.tasks.map((t) => [t.kind, 'to' in t ? t.to : undefined]).sort()).toEqual([
      ['notify', undefined],
      ['services.scale', 'zero'],
    ]);
    expect(refused.history.map((h) => [h.event, h.from, h.to])).toEqual([
      ['LAUNCH', 'RUNNING', 'UPDATING'],
      ['TASK_FAILED', 'UPDATING', 'FAILED'],
    ]);
    expect(refused.history[1]!.detail).toBe('refused: taken by pr-1; scaling services to zero');
  });
});
