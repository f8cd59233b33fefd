import { describe, expect, it } from 'vitest';
import { parseSpec } from '../core/spec.ts';
import { demoSpec } from '../test/helpers/events.ts';
import { describeDeadLetter, redrivePolicy } from './dlq-ops.ts';

const task = {
  v: 1,
  spec: parseSpec(demoSpec),
  kind: 'services.delete',
  stackId: 'pr-3',
  transitionId: 2,
  taskId: 'services.delete',
  attempt: 0,
};

describe('what a dead letter is and why it failed', () => {
  const message = (body: string) => ({
    MessageId: 'm-1',
    Body: body,
    Attributes: { ApproximateReceiveCount: '6', SentTimestamp: '1767225600000', MessageGroupId: 'pr-3' },
  });

  it('a valid task is explained by its stack’s failure reason from the store', async () => {
    const letter = await describeDeadLetter(message(JSON.stringify(task)), 'tasks', async (id) =>
      id === 'pr-3' ? 'services.delete: AccessDenied (after 5 attempts)' : null,
    );
    expect(letter).toMatchObject({
      id: 'm-1',
      stackId: 'pr-3',
      type: 'services.delete',
      receiveCount: 6,
      sentAt: '2026-01-01T00:00:00.000Z',
      groupId: 'pr-3',
      reason: 'services.delete: AccessDenied (after 5 attempts)',
    });
  });

  it('a body no handler can read says so, naming the field, whatever the store says', async () => {
    const bad = await describeDeadLetter(
      message(JSON.stringify({ v: 1, type: 'LAUNCH', stackId: 'pr-3', at: '2026-01-01T00:00:00Z' })),
      'events',
      async () => 'never asked',
    );
    expect(bad.reason).toMatch(/^not a valid event: .*spec/);
    expect((await describeDeadLetter(message('{oops'), 'events')).reason).toBe(
      'not JSON: no handler can read it',
    );
  });

  it('no reason when none is known, and a failing store lookup does not fail the listing', async () => {
    expect((await describeDeadLetter(message(JSON.stringify(task)), 'tasks')).reason).toBeNull();
    const failing = async () => {
      throw new Error('no route to RDS');
    };
    expect((await describeDeadLetter(message(JSON.stringify(task)), 'tasks', failing)).reason).toBeNull();
  });
});

describe('redrive policies', () => {
  it('reads the DLQ and the count; absent or unreadable policies are undefined', () => {
    expect(
      redrivePolicy({
        RedrivePolicy: '{"deadLetterTargetArn":"arn:aws:sqs:x:1:q-dlq","maxReceiveCount":"5"}',
      }),
    ).toEqual({ deadLetterTargetArn: 'arn:aws:sqs:x:1:q-dlq', maxReceiveCount: 5 });
    expect(redrivePolicy({})).toBeUndefined();
    expect(redrivePolicy({ RedrivePolicy: 'nonsense' })).toBeUndefined();
  });
});
