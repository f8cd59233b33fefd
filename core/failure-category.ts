/**
 * What a stranger may learn about why a stack failed: a short category, never the raw reason.
 *
 * A stack's `failureReason` is `<taskId>: <reason>`, and the reason is whatever AWS, PostgreSQL or the
 * app said (account ids, role ARNs, hostnames, the app's last output). The waiting page and
 * `/_thaw/status` are public, so they show only the category this function picks; the full reason
 * stays in the logs, the CLI and the PR comment. Nothing of the reason is copied into a category
 * except an exit code (digits) or a signal name (`SIG` + capitals), which it re-formats itself.
 */
export const UNKNOWN_FAILURE = 'failed to start';

const TIMED_OUT: Record<string, string> = {
  RESUMING: 'timed out waking',
  LAUNCHING: 'timed out launching',
  UPDATING: 'timed out updating',
  FREEZING: 'timed out freezing',
  DESTROYING: 'timed out destroying',
};

/** Ordered: the first rule whose pattern matches the reason names the category. */
const RULES: ReadonlyArray<readonly [RegExp, (match: RegExpExecArray) => string]> = [
  [/\btimed out in ([A-Z]+)\b/, (m) => TIMED_OUT[m[1]!] ?? 'timed out'],
  [
    /CannotPullContainer|ImagePull|pull access denied|manifest (?:for \S+ )?(?:unknown|not found)|image[^\n]{0,80}not found/i,
    () => 'image could not be pulled',
  ],
  [/OutOfMemory|\bOOM\b|out of memory/i, () => 'app ran out of memory'],
  [
    /(?:exited with code|exit code|exitCode[=:])\s*(-?\d{1,3})\b/i,
    (m) => `app exited with code ${Number(m[1])}`,
  ],
  [/was killed by (SIG[A-Z0-9]{2,8})\b/, (m) => `app was killed by ${m[1]}`],
  [/\bnot ready after \d+\s*s\b|health ?check|unhealthy/i, () => 'app did not become ready in time'],
];

/** Tried after RULES: whatever else went wrong in a database task, then the generic causes. */
const LATER: ReadonlyArray<readonly [RegExp, (match: RegExpExecArray) => string]> = [
  [/^database\.[\w-]+:/, () => 'database could not be prepared'],
  [
    /ResourceInitializationError|secrets? ?manager|\bssm\b|ParameterNotFound/i,
    () => 'secrets could not be read',
  ],
  [/AccessDenied|not authorized|UnauthorizedOperation|permission denied/i, () => 'permission denied'],
];

/** The public category of a failure reason (`null`: the stack has not failed). */
export function failureCategory(reason: string | null | undefined): string | null {
  if (reason === null || reason === undefined) return null;
  for (const [pattern, name] of [...RULES, ...LATER]) {
    const match = pattern.exec(reason);
    if (match) return name(match);
  }
  return UNKNOWN_FAILURE;
}
