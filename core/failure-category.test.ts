import { describe, expect, it } from 'vitest';
import { failureCategory, UNKNOWN_FAILURE } from './failure-category.ts';

describe('failureCategory: what strangers see instead of the raw reason', () => {
  it.each([
    // reasons as the tasks Lambda, the ECS adapter, the process orchestrator and the freezer write them
    [
      'services.deploy: web: CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:pr-1: not found',
      'image could not be pulled',
    ],
    [
      'services.deploy: web: Error response from daemon: pull access denied for app',
      'image could not be pulled',
    ],
    ['services.await-ready: web: Essential container in task exited; exit code 1', 'app exited with code 1'],
    [
      'services.await-ready: web exited with code 137; last output:\nDATABASE_URL=postgres://u:p@db',
      'app exited with code 137',
    ],
    ['services.await-ready: web was killed by SIGKILL', 'app was killed by SIGKILL'],
    [
      'services.await-ready: web: OutOfMemoryError: Container killed due to memory usage',
      'app ran out of memory',
    ],
    ['services.await-ready: not ready after 300s (web 0/1)', 'app did not become ready in time'],
    ['services.scale: timed out in RESUMING after 20 min', 'timed out waking'],
    ['services.deploy: timed out in LAUNCHING after 20 min', 'timed out launching'],
    ['services.deploy: timed out in UPDATING after 20 min', 'timed out updating'],
    ['services.scale: timed out in SOMETHING after 1 min', 'timed out'],
    [
      'database.create: PostgresError: permission denied to create database (host db-1.abc.us-east-1.rds.amazonaws.com)',
      'database could not be prepared',
    ],
    [
      'services.deploy: ResourceInitializationError: unable to pull secrets or registry auth: arn:aws:secretsmanager:us-east-1:123456789012:secret:x',
      'secrets could not be read',
    ],
    [
      'services.deploy: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/thaw-tasks/x is not authorized to perform: ecs:CreateService',
      'permission denied',
    ],
    ['services.deploy: service web has no "run" command, so it cannot run locally', UNKNOWN_FAILURE],
    ['something nobody has seen before at 10.0.3.7', UNKNOWN_FAILURE],
    ['', UNKNOWN_FAILURE],
  ])('%j → %s', (reason, category) => {
    expect(failureCategory(reason)).toBe(category);
  });

  it('a stack that has not failed has no category', () => {
    expect(failureCategory(null)).toBeNull();
    expect(failureCategory(undefined)).toBeNull();
  });

  it('never copies an account id, an ARN, a host name or an address into the category', () => {
    const secrets = ['123456789012', 'arn:aws', 'amazonaws.com', '10.0.3.7', 'postgres://', '<script>'];
    const reasons = [
      'services.deploy: AccessDenied arn:aws:iam::123456789012:role/x',
      'database.create: could not connect to server at 10.0.3.7 (postgres://u:p@db.amazonaws.com)',
      'services.await-ready: exited with code <script>',
      'services.await-ready: was killed by <script>alert(1)</script>',
    ];
    for (const reason of reasons)
      for (const secret of secrets) expect(failureCategory(reason)).not.toContain(secret);
  });
});
