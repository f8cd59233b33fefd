import {
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  type ECSClient,
  ListTaskDefinitionsCommand,
} from '@aws-sdk/client-ecs';
import { PermanentTaskError } from '../core/errors.ts';

/**
 * ECS errors that retrying cannot fix, by their type name (never by message text). Everything else —
 * ThrottlingException, ServerException, network errors — is transient: the SDK already retried with
 * backoff, and SQS redelivers the task.
 */
const PERMANENT = new Set([
  'InvalidParameterException',
  'ClientException',
  'ClusterNotFoundException',
  'AccessDeniedException',
  'PlatformUnknownException',
  'UnsupportedFeatureException',
]);

/** The error a task should see: PermanentTaskError for what retrying cannot fix, else the error itself. */
export function translateEcsError(error: unknown): unknown {
  if (error instanceof Error && PERMANENT.has(error.name))
    return new PermanentTaskError(`${error.name}: ${error.message}`, { cause: error });
  return error;
}

/** Runs an ECS call, turning what retrying cannot fix into a PermanentTaskError. */
export async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw translateEcsError(error);
  }
}

/** Deletes a service (force: at any desired count); one already gone or draining is done. */
export async function deleteService(ecs: Pick<ECSClient, 'send'>, cluster: string, name: string) {
  try {
    await call(() => ecs.send(new DeleteServiceCommand({ cluster, service: name, force: true })));
  } catch (error) {
    if (
      !(
        error instanceof Error &&
        (error.name === 'ServiceNotFoundException' || error.name === 'ServiceNotActiveException')
      )
    )
      throw error;
  }
}

/** Every ACTIVE revision of a task definition family, by ARN (exactly this family, not its prefix). */
export async function familyRevisions(ecs: Pick<ECSClient, 'send'>, family: string): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await call(() =>
      ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, status: 'ACTIVE', nextToken })),
    );
    // familyPrefix matches by prefix: thaw-pr-1-web would also match thaw-pr-1-web2.
    arns.push(...(page.taskDefinitionArns ?? []).filter((arn) => familyOf(arn) === family));
    nextToken = page.nextToken;
  } while (nextToken);
  return arns;
}

/** arn:aws:ecs:…:task-definition/thaw-pr-1-web:3 → thaw-pr-1-web */
export const familyOf = (arn: string) => arn.split('/').at(-1)?.replace(/:\d+$/, '');

export async function deregisterFamily(ecs: Pick<ECSClient, 'send'>, family: string) {
  for (const arn of await familyRevisions(ecs, family))
    await call(() => ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn })));
}
