/** Root of every error Thaw raises on purpose. Subclasses carry data, not just text. */
export class ThawError extends Error {
  override name = 'ThawError';
}

/** One problem with an input: where it is, what was received, what is allowed. */
export interface InputIssue {
  path: string;
  message: string;
}

/** Bad input (an event, a spec, a CLI flag). Lists every problem, each naming its field. */
export class ValidationError extends ThawError {
  override name = 'ValidationError';
  readonly issues: InputIssue[];
  readonly subject: string;
  constructor(subject: string, issues: InputIssue[], options?: { cause?: unknown }) {
    super(
      `invalid ${subject}:\n${issues.map((i) => `  - ${i.path ? `${i.path}: ` : ''}${i.message}`).join('\n')}`,
      options,
    );
    this.subject = subject;
    this.issues = issues;
  }
}

/** A compare-and-set write lost the race: someone else wrote the stack first. */
export class StaleVersionError extends ThawError {
  override name = 'StaleVersionError';
  readonly stackId: string;
  readonly expected: number | null;
  constructor(stackId: string, expected: number | null) {
    super(`stack ${stackId} changed concurrently (expected version ${expected ?? 'none'})`);
    this.stackId = stackId;
    this.expected = expected;
  }
}

/** Gave up after retrying compare-and-set writes. */
export class ContentionError extends ThawError {
  override name = 'ContentionError';
  readonly stackId: string;
  readonly attempts: number;
  constructor(stackId: string, attempts: number, options?: { cause?: unknown }) {
    super(`stack ${stackId}: gave up after ${attempts} concurrent write conflicts`, options);
    this.stackId = stackId;
    this.attempts = attempts;
  }
}

/** A task that cannot succeed however often it is retried (bad image, invalid input). */
export class PermanentTaskError extends ThawError {
  override name = 'PermanentTaskError';
}

/** Invalid configuration: lists every problem at once. */
export class ConfigError extends ThawError {
  override name = 'ConfigError';
}
