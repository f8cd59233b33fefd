import { z } from 'zod';

/**
 * Stack ids are DNS-label safe so they can appear in host names, ECS service names and database
 * names: lowercase letters, digits and single hyphens, starting with a letter, ending with a letter or
 * digit, at most 40 characters (room for a service prefix inside the 63-character DNS label limit).
 * Examples: `pr-42`, `demo`, `feature-login-7`.
 */
export const STACK_ID_PATTERN = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,39}$/;
export const STACK_ID_MAX = 40;
export const STACK_ID_RULE =
  'lowercase letters, digits and single hyphens, starting with a letter, not ending with a hyphen, at most 40 characters (e.g. "pr-42")';

export const stackIdSchema = z
  .string({ error: `expected a stack id: ${STACK_ID_RULE}` })
  .max(STACK_ID_MAX, { error: `expected a stack id: ${STACK_ID_RULE}` })
  .regex(STACK_ID_PATTERN, { error: `expected a stack id: ${STACK_ID_RULE}` });

export type StackId = z.infer<typeof stackIdSchema>;

export function isStackId(value: unknown): value is StackId {
  return typeof value === 'string' && STACK_ID_PATTERN.test(value);
}

/** Service names inside a spec: same alphabet as stack ids, at most 20 characters. */
export const SERVICE_NAME_PATTERN = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,19}$/;
export const SERVICE_NAME_RULE =
  'lowercase letters, digits and single hyphens, starting with a letter, at most 20 characters';

/** A GitHub login (letters, digits and hyphens, at most 39, or an app's "name[bot]"): safe in Markdown as a mention. */
export const GITHUB_LOGIN_PATTERN = /^[A-Za-z0-9-]{1,39}(\[bot\])?$/;

export function isGitHubLogin(value: string): boolean {
  return GITHUB_LOGIN_PATTERN.test(value);
}
