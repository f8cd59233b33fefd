import { DURATION_RULE, parseDuration } from './duration.ts';

/**
 * `/thaw …` commands in pull request comments. Pure: the Action decides who may run them and what
 * each one sends. Only the first non-blank line of a comment is read, and only when it starts with
 * `/thaw`; the rest of the comment is free text for humans.
 */
export const COMMENT_COMMANDS = ['wake', 'freeze', 'keep', 'relaunch', 'destroy', 'status', 'help'] as const;
export type CommentCommandName = (typeof COMMENT_COMMANDS)[number];

export type CommentCommand =
  | { kind: 'wake' | 'freeze' | 'relaunch' | 'destroy' | 'status' | 'help' }
  /** `durationMs` 0: `/thaw keep off`, which ends a keep. */
  | { kind: 'keep'; durationMs: number; duration: string };

export type ParsedComment =
  /** Not addressed to Thaw: ignore it without a word. */
  | { kind: 'none' }
  | { kind: 'command'; command: CommentCommand }
  /** Addressed to Thaw but not understood: answer with `why` and the help text (never echoing the comment). */
  | { kind: 'invalid'; why: string };

const PREFIX = /^\/thaw(?:\s+|$)/i;
const WORD = /^[a-z]+$/;

/** Reads the command in a comment body. */
export function parseCommentCommand(body: string): ParsedComment {
  const first =
    body
      .split(/\r?\n/)
      .find((line) => line.trim() !== '')
      ?.trim() ?? '';
  if (!PREFIX.test(first)) return { kind: 'none' };
  const words = first.replace(PREFIX, '').split(/\s+/).filter(Boolean);
  const [name = 'help', ...args] = words.map((w) => w.toLowerCase());
  if (!WORD.test(name) || !(COMMENT_COMMANDS as readonly string[]).includes(name))
    return { kind: 'invalid', why: 'That is not a Thaw command.' };
  const command = name as CommentCommandName;
  if (command === 'keep') {
    if (args.length !== 1)
      return { kind: 'invalid', why: `\`/thaw keep\` takes one duration: ${DURATION_RULE}, or \`off\`.` };
    if (args[0] === 'off')
      return { kind: 'command', command: { kind: 'keep', durationMs: 0, duration: 'off' } };
    const durationMs = parseDuration(args[0]!);
    if (durationMs === undefined || durationMs <= 0)
      return { kind: 'invalid', why: `\`/thaw keep\` takes ${DURATION_RULE}, or \`off\`.` };
    return { kind: 'command', command: { kind: 'keep', durationMs, duration: args[0]! } };
  }
  if (args.length) return { kind: 'invalid', why: `\`/thaw ${command}\` takes no arguments.` };
  return { kind: 'command', command: { kind: command } };
}

/** What each command does, for `/thaw help` and for replies to commands that were not understood. */
export const COMMENT_HELP = [
  '| command | what it does |',
  '|---|---|',
  '| `/thaw wake` | wakes a frozen preview now (RESUME) |',
  '| `/thaw freeze` | freezes the preview now: scaled to zero, it wakes on the next request (FREEZE) |',
  "| `/thaw keep <duration>` | keeps the preview awake that long, e.g. `4h` (up to the workflow's `max-keep`, 8h by default), waking it if frozen; `/thaw keep off` ends it (KEEP) |",
  '| `/thaw relaunch` | launches the preview again — from a comment, only when the workflow passes `images` |',
  '| `/thaw destroy` | removes the preview and its database (DESTROY); the next push launches it again |',
  '| `/thaw status` | points to the preview comment, which shows the state |',
  '| `/thaw help` | this table |',
  '',
  'Only people with write access to the repository can run commands.',
].join('\n');
