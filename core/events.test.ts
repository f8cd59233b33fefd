import { describe, expect, it } from 'vitest';
import { demoSpec } from '../test/helpers/events.ts';
import { ValidationError } from './errors.ts';
import { parseEvent } from './events.ts';
import { isStackId } from './ids.ts';

function messageOf(input: unknown): string {
  try {
    parseEvent(input);
  } catch (error) {
    if (error instanceof ValidationError) return error.message;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('stack ids', () => {
  it.each(['pr-42', 'demo', 'a', 'feature-login-7', 'a'.repeat(40)])('accepts %s', (id) =>
    expect(isStackId(id)).toBe(true),
  );
  it.each(['PR-42', '42', '-a', 'a-', 'a--b', 'a_b', 'a.b', '', 'a'.repeat(41), 'pr 1', "x'; drop"])(
    'refuses %j',
    (id) => expect(isStackId(id)).toBe(false),
  );
});

describe('parseEvent', () => {
  const at = '2026-01-01T00:00:00Z';
  it('parses every event type', () => {
    expect(
      parseEvent({ v: 1, type: 'LAUNCH', stackId: 'pr-1', at, images: { web: 'web:1' }, spec: demoSpec })
        .type,
    ).toBe('LAUNCH');
    expect(parseEvent({ v: 1, type: 'FREEZE', stackId: 'pr-1', at, seenAccessAt: null }).type).toBe('FREEZE');
    expect(
      parseEvent({
        v: 1,
        type: 'SATISFY_REQ',
        stackId: 'pr-1',
        at,
        transitionId: 3,
        taskId: 'services.deploy',
      }).type,
    ).toBe('SATISFY_REQ');
  });

  it('names an unknown type and what is allowed', () => {
    expect(messageOf({ v: 1, type: 'EXPLODE', stackId: 'pr-1', at })).toMatch(
      /type: expected "type" to be one of LAUNCH, DESTROY/,
    );
  });

  it('refuses a newer contract version', () => {
    expect(messageOf({ v: 2, type: 'DESTROY', stackId: 'pr-1', at })).toMatch(
      /v: expected contract version 1, got 2/,
    );
  });

  it('names missing fields and a bad stack id', () => {
    const message = messageOf({ v: 1, type: 'SATISFY_REQ', stackId: 'PR_1', at });
    expect(message).toMatch(/stackId: expected a stack id: .* got "PR_1"/);
    expect(message).toMatch(/transitionId: .*got nothing/);
    expect(message).toMatch(/taskId: .*got nothing/);
  });

  it('validates the spec carried by LAUNCH with its full path', () => {
    const spec = { services: { web: { port: 'x', image: 'a' } } };
    expect(messageOf({ v: 1, type: 'LAUNCH', stackId: 'pr-1', at, spec })).toMatch(
      /spec\.services\.web\.port: expected an integer 1-65535, got "x"/,
    );
  });

  it('refuses something that is not an object', () => {
    expect(messageOf('LAUNCH pr-1')).toMatch(/invalid event/);
  });
});
