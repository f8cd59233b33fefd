import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../adapters/store/memory-store.ts';
import { demoSpec, launch } from '../../test/helpers/events.ts';
import type { Store } from '../ports.ts';
import { transition } from '../transition.ts';
import { createStackIndex } from './stack-index.ts';

async function launchInto(store: Store, id: string) {
  const result = transition(undefined, launch(id, { web: 'w', api: 'a' }, demoSpec), new Date());
  if (result.kind !== 'ignored') await store.save(result.stack, undefined, result);
}

describe('stack index', () => {
  it('maps every host of a stack, finds a new stack on a miss, and falls back to the Thaw router name', async () => {
    const store = createMemoryStore();
    await launchInto(store, 'pr-4');
    let now = 0;
    const index = createStackIndex({ store, domain: 'qa.example.com', clock: () => now });
    expect(await index.stackIdFor('pr-4.qa.example.com')).toBe('pr-4');
    expect(await index.stackIdFor('api-pr-4.qa.example.com')).toBe('pr-4');
    await launchInto(store, 'pr-5');
    now += 1500; // a miss refreshes early, at most once a second
    expect(await index.stackIdFor('pr-5.qa.example.com')).toBe('pr-5');
    expect(await index.stackIdForLine({ host: 'alias.example.org', router: 'thaw-pr-4-api' })).toBe('pr-4');
    expect(
      await index.stackIdForLine({ host: 'alias.example.org', router: 'thaw-pr-4-nope' }),
    ).toBeUndefined();
    expect(
      await index.stackIdForLine({ host: 'alias.example.org', router: 'thaw-launcher' }),
    ).toBeUndefined();
    expect(await index.stackIdFor('unknown.qa.example.com')).toBeUndefined();
  });

  it('reads the router name of a service with a hyphen (thaw-<stack>--<service>)', async () => {
    const store = createMemoryStore();
    const spec = { ...demoSpec, services: { 'my-api': demoSpec.services.api! } };
    const result = transition(undefined, launch('pr-6', { 'my-api': 'a' }, spec), new Date());
    if (result.kind !== 'ignored') await store.save(result.stack, undefined, result);
    const index = createStackIndex({ store, domain: 'qa.example.com' });
    await index.refresh();
    expect(await index.stackIdForLine({ host: 'alias.example.org', router: 'thaw-pr-6--my-api' })).toBe(
      'pr-6',
    );
    expect(
      await index.stackIdForLine({ host: 'alias.example.org', router: 'thaw-pr-6-my-api' }),
    ).toBeUndefined();
  });
});
