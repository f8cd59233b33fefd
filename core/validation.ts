import type { z } from 'zod';
import { type InputIssue, ValidationError } from './errors.ts';

/** Reads the value at a zod issue path, for "got …" in messages. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined; // a BigInt or a cycle: JSON cannot say it
  }
  if (text === undefined) {
    try {
      return String(value);
    } catch {
      return Array.isArray(value) ? 'a list' : `a value of type ${typeof value}`; // e.g. an object with no prototype
    }
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** `services.web.port`; a key that is empty or holds a dot or a space is quoted, so every path names its field. */
function joinPath(path: readonly PropertyKey[]): string {
  return path
    .map((key) => {
      const text = String(key);
      return text === '' || /[.\s"]/.test(text) ? JSON.stringify(text) : text;
    })
    .join('.');
}

/** Turns zod issues into messages that name the field, the value received and what is allowed. */
export function toInputIssues(error: z.ZodError, input: unknown): InputIssue[] {
  return error.issues.flatMap((issue): InputIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: joinPath([...issue.path, key]),
        message: `unknown field${issue.message.startsWith('allowed') ? `, ${issue.message}` : ''}`,
      }));
    }
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // Report the branch that got furthest: the one whose first issue has the longest path.
      const best = [...issue.errors].sort((a, b) => (b[0]?.path.length ?? 0) - (a[0]?.path.length ?? 0))[0]!;
      return best.map((inner) => ({
        path: joinPath([...issue.path, ...inner.path]),
        message: `${inner.message}, got ${describe(valueAt(input, [...issue.path, ...inner.path]))}`,
      }));
    }
    const value = valueAt(input, issue.path);
    return [{ path: joinPath(issue.path), message: `${issue.message}, got ${describe(value)}` }];
  });
}

/** Parses with a zod schema or throws a ValidationError listing every problem. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, subject: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(subject, toInputIssues(result.error, input));
}
