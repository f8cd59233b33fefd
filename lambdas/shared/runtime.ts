import { Logger } from '@aws-lambda-powertools/logger';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createSqsClient } from '../../adapters/sqs.ts';
import { openPostgresStore } from '../../adapters/store/postgres.ts';
import { ConfigError } from '../../core/errors.ts';
import type { Log } from '../../core/ports.ts';

/** Powertools' Logger behind Thaw's Log port (JSON lines with the service name, level from POWERTOOLS_LOG_LEVEL). */
export function lambdaLog(serviceName: string): Log & { logger: Logger } {
  const logger = new Logger({ serviceName });
  return {
    logger,
    debug: (message, data) => logger.debug(message, data ?? {}),
    info: (message, data) => logger.info(message, data ?? {}),
    warn: (message, data) => logger.warn(message, data ?? {}),
    error: (message, data) => logger.error(message, data ?? {}),
  };
}

/** The store and queues a Lambda shares across invocations (created at cold start). */
export async function lambdaResources(config: {
  DATABASE_URL?: string | undefined;
  DATABASE_SECRET_ARN?: string | undefined;
  DATABASE_POOL_SIZE: number;
  SQS_ENDPOINT?: string | undefined;
  AWS_REGION?: string | undefined;
}) {
  // Migrations are applied by the migrate function (see docs/lambdas.md), never on a cold start.
  const databaseUrl = await resolveDatabaseUrl(config);
  const { store } = await openPostgresStore({
    databaseUrl,
    maxConnections: config.DATABASE_POOL_SIZE,
    migrate: false,
  });
  const sqs = createSqsClient({ endpoint: config.SQS_ENDPOINT, region: config.AWS_REGION });
  return { store, sqs, databaseUrl };
}

/**
 * The database URL: DATABASE_URL when given, else the string of the DATABASE_SECRET_ARN secret, read
 * once at cold start so the password never sits in the function's environment.
 */
export async function resolveDatabaseUrl(
  config: { DATABASE_URL?: string | undefined; DATABASE_SECRET_ARN?: string | undefined },
  secrets: Pick<SecretsManagerClient, 'send'> = new SecretsManagerClient({}),
): Promise<string> {
  if (config.DATABASE_URL) return config.DATABASE_URL;
  return readSecretUrl(config.DATABASE_SECRET_ARN!, 'DATABASE_SECRET_ARN', secrets);
}

/** The postgres:// URL a Secrets Manager secret holds, read once at cold start; `setting` names it in errors. */
export async function readSecretUrl(
  arn: string,
  setting: string,
  secrets: Pick<SecretsManagerClient, 'send'> = new SecretsManagerClient({}),
): Promise<string> {
  const url = await readSecretString(arn, setting, secrets);
  if (!/^postgres(ql)?:\/\//.test(url))
    throw new ConfigError(
      `invalid configuration:\n  - ${setting}: expected the secret to hold a postgres:// URL`,
    );
  return url;
}

/**
 * The string a Secrets Manager secret holds (trimmed), read once at cold start so the value never
 * sits in the function's environment; an empty secret is a ConfigError naming `setting`, never the value.
 */
export async function readSecretString(
  arn: string,
  setting: string,
  secrets: Pick<SecretsManagerClient, 'send'> = new SecretsManagerClient({}),
): Promise<string> {
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: arn }));
  const value = SecretString?.trim() ?? '';
  if (!value)
    throw new ConfigError(`invalid configuration:\n  - ${setting}: expected the secret to hold a string`);
  return value;
}

/** The GitHub token: GITHUB_TOKEN when given (local, tests), else the GITHUB_TOKEN_SECRET_ARN secret; none: undefined. */
export async function resolveGitHubToken(
  config: { GITHUB_TOKEN?: string | undefined; GITHUB_TOKEN_SECRET_ARN?: string | undefined },
  secrets: Pick<SecretsManagerClient, 'send'> = new SecretsManagerClient({}),
): Promise<string | undefined> {
  if (config.GITHUB_TOKEN) return config.GITHUB_TOKEN;
  if (!config.GITHUB_TOKEN_SECRET_ARN) return undefined;
  return readSecretString(config.GITHUB_TOKEN_SECRET_ARN, 'GITHUB_TOKEN_SECRET_ARN', secrets);
}
