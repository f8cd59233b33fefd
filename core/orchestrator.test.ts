import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SERVICE_NAME_PATTERN, STACK_ID_PATTERN } from './ids.ts';
import { parseResourceName, resourceName } from './orchestrator.ts';

/** Lowercase words joined by single hyphens, starting with a letter, filtered by the real pattern. */
const idLike = (pattern: RegExp) =>
  fc
    .tuple(fc.constantFrom(...'abc'), fc.array(fc.constantFrom(...'ab1-'), { maxLength: 12 }))
    .map(([first, rest]) => first + rest.join(''))
    .filter((id) => pattern.test(id));
const stackId = idLike(STACK_ID_PATTERN);
const serviceName = idLike(SERVICE_NAME_PATTERN);
/** What ECS allows in service names and task definition families. */
const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/;

describe('resourceName', () => {
  it('gives stack a-b service c and stack a service b-c different names', () => {
    expect(resourceName('a-b', 'c')).not.toBe(resourceName('a', 'b-c'));
    expect([resourceName('a-b', 'c'), resourceName('a', 'b-c')]).toEqual(['thaw-a-b-c', 'thaw-a--b-c']);
  });

  it('keeps the names of hyphen-free services (running stacks keep their ECS services)', () => {
    expect(resourceName('pr-42', 'web')).toBe('thaw-pr-42-web');
  });

  it('is injective: the name gives back its stack and service, and is a valid ECS name', () => {
    fc.assert(
      fc.property(stackId, serviceName, (stack, service) => {
        const name = resourceName(stack, service);
        expect(name).toMatch(ECS_NAME);
        expect(parseResourceName(name)).toEqual({ stackId: stack, service });
      }),
    );
  });

  it('the same words split into stack and service at different hyphens give different names', () => {
    const word = fc.stringMatching(/^[a-z][a-z0-9]{0,3}$/);
    fc.assert(
      fc.property(fc.array(word, { minLength: 2, maxLength: 5 }), fc.nat(), fc.nat(), (words, i, j) => {
        const [a, b] = [1 + (i % (words.length - 1)), 1 + (j % (words.length - 1))];
        fc.pre(a !== b);
        const split = (at: number) => resourceName(words.slice(0, at).join('-'), words.slice(at).join('-'));
        expect(split(a)).not.toBe(split(b));
      }),
    );
  });

  it('parses no name it did not make', () => {
    for (const name of ['thaw-pr-1-', 'thaw--web', 'other-pr-1-web', 'thaw-pr-1--web', 'thaw-a--b--c'])
      expect(parseResourceName(name)).toBeUndefined();
  });
});
