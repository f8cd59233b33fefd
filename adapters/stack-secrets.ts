import {
  CreateSecretCommand,
  DeleteSecretCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { StackDatabases, StackSecrets } from '../core/orchestrator.ts';

export interface StackSecretsOptions {
  secrets: Pick<SecretsManagerClient, 'send'>;
  /**
   * Name prefix of every stack secret (default `thaw/stacks`): the execution role may read, and the
   * tasks function write, only secrets under it (infra: `<prefix>/*`).
   */
  prefix?: string;
}

/** The name of a stack's DATABASE_URL secret: `<prefix>/<stack>/database-url`. */
export const stackSecretName = (stackId: string, prefix = 'thaw/stacks') =>
  `${prefix}/${stackId}/database-url`;

/**
 * One Secrets Manager secret per stack holding its DATABASE_URL, which ECS hands the container
 * (`secrets: [{ name, valueFrom: <arn> }]`) so the URL is not in the task definition. Tagged
 * `thaw:stack`; deleted without a recovery window (a stack id can come back).
 */
export function createStackSecrets({ secrets, prefix = 'thaw/stacks' }: StackSecretsOptions): StackSecrets {
  return {
    async put(stackId, value) {
      const name = stackSecretName(stackId, prefix);
      try {
        const created = await secrets.send(
          new CreateSecretCommand({
            Name: name,
            SecretString: value,
            Description: `DATABASE_URL of Thaw stack ${stackId}`,
            Tags: [{ Key: 'thaw:stack', Value: stackId }],
          }),
        );
        return created.ARN!;
      } catch (error) {
        if (!(error instanceof Error && error.name === 'ResourceExistsException')) throw error;
      }
      // The stack's secret exists (an update, a retried task): give it the current URL.
      const put = await secrets.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
      return put.ARN!;
    },

    async remove(stackId) {
      try {
        await secrets.send(
          new DeleteSecretCommand({
            SecretId: stackSecretName(stackId, prefix),
            ForceDeleteWithoutRecovery: true,
          }),
        );
      } catch (error) {
        if (!(error instanceof Error && error.name === 'ResourceNotFoundException')) throw error;
      }
    },
  };
}

/** The stack's databases, whose drop (the database.drop task of a DESTROY) also deletes its URL's secret. */
export function withSecretRemoval(
  databases: StackDatabases,
  secrets: Pick<StackSecrets, 'remove'>,
): StackDatabases {
  return {
    create: (stackId, template) => databases.create(stackId, template),
    urlFor: (stackId) => databases.urlFor(stackId),
    async drop(stackId) {
      await databases.drop(stackId);
      await secrets.remove(stackId);
    },
  };
}
