import { z } from 'zod';
import { ConfigError } from './errors.ts';

/**
 * Building blocks for the `config.ts` of every entry point: one rule per kind of setting, so a
 * domain or a database URL is accepted or refused the same way by every part.
 */

/** A comma-separated list with at least one item. */
export const commaList = (error: string) =>
  z
    .string({ error })
    .transform((text) =>
      text
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    )
    .refine((items) => items.length > 0, { error });

/** A comma-separated list that may be empty (blank items dropped). */
export const itemList = () =>
  z.string().transform((text) =>
    text
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );

/** A postgres:// or postgresql:// URL. */
export const postgresUrl = (error = 'expected a postgres:// URL') =>
  z.string({ error }).regex(/^postgres(ql)?:\/\//, { error });

const DOMAIN_ERROR = 'expected a domain such as qa.example.com (lower-case DNS labels separated by dots)';
/** The stack domain: lower-case DNS labels (a single label such as `localhost` is fine for local mode). */
export const domainName = () =>
  z
    .string({ error: DOMAIN_ERROR })
    .max(253, { error: DOMAIN_ERROR })
    .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/, {
      error: DOMAIN_ERROR,
    });

/** An integer setting within [min, max], coerced from its string, with a default. */
export const integer = (min: number, max: number, fallback: number, unit = '') =>
  z.coerce
    .number({ error: `expected an integer ${min}-${max}${unit ? ` (${unit})` : ''}` })
    .int()
    .min(min)
    .max(max)
    .default(fallback);

/** `true`/`false`/`1`/`0`. */
export const boolean = () => z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** An IAM role ARN. */
export const roleArn = () =>
  z.string().regex(/^arn:aws[\w-]*:iam::\d{12}:role\//, { error: 'expected an IAM role ARN' });

/** A Secrets Manager secret ARN. */
export const secretArn = () =>
  z.string().regex(/^arn:aws[\w-]*:secretsmanager:[\w-]+:\d{12}:secret:/, {
    error: 'expected a Secrets Manager secret ARN',
  });

const SECRET_KEY = /TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE_KEY|API_KEY/i;
/**
 * How a value is shown in an error message: settings whose name says they are secret, and URLs
 * that carry credentials, are never shown, whatever the value looks like.
 */
export function shownValue(key: string, value: string | undefined): string {
  if (value === undefined) return 'nothing';
  if (SECRET_KEY.test(key) || /:\/\/[^/@\s]*@/.test(value) || /^\s*postgres/i.test(value))
    return '<redacted>';
  return JSON.stringify(value);
}

/**
 * Parses environment variables with a schema, or throws ConfigError listing every problem with the
 * value received (secrets shown as <redacted>, see shownValue). `extra` adds checks
 * that span several variables.
 */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv,
  subject: string,
  extra: (env: NodeJS.ProcessEnv) => { key: string; message: string }[] = () => [],
): z.infer<S> {
  const result = schema.safeParse(env);
  const issues = [
    ...(result.success
      ? []
      : result.error.issues.map((i) => ({ key: String(i.path[0]), message: i.message }))),
    ...extra(env),
  ];
  if (result.success && issues.length === 0) return result.data;
  const problems = issues.map(({ key, message }) => {
    return `  - ${key}: ${message}, got ${shownValue(key, env[key])}`;
  });
  throw new ConfigError(`invalid ${subject}:\n${problems.join('\n')}`);
}
