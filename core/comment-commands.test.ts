import { describe, expect, it } from 'vitest';
import { parseCommentCommand } from './comment-commands.ts';

describe('parseCommentCommand', () => {
  it.each([
    ['/thaw wake', 'wake'],
    ['  /thaw   FREEZE  ', 'freeze'],
    ['\n\n/thaw destroy\nplease, it is broken', 'destroy'],
    ['/thaw relaunch', 'relaunch'],
    ['/thaw status', 'status'],
    ['/thaw help', 'help'],
    ['/thaw', 'help'],
  ])('%j is the command %s', (body, kind) => {
    expect(parseCommentCommand(body)).toEqual({ kind: 'command', command: { kind } });
  });

  it('/thaw keep takes one duration', () => {
    expect(parseCommentCommand('/thaw keep 4h')).toEqual({
      kind: 'command',
      command: { kind: 'keep', durationMs: 4 * 3_600_000, duration: '4h' },
    });
    expect(parseCommentCommand('/thaw keep')).toMatchObject({ kind: 'invalid' });
    expect(parseCommentCommand('/thaw keep forever')).toMatchObject({ kind: 'invalid' });
    expect(parseCommentCommand('/thaw keep 0h')).toMatchObject({ kind: 'invalid' });
    expect(parseCommentCommand('/thaw keep off')).toEqual({
      kind: 'command',
      command: { kind: 'keep', durationMs: 0, duration: 'off' },
    });
  });

  it.each(['LGTM', 'please /thaw wake', '/thawwake', '> /thaw wake', ''])(
    '%j is not addressed to Thaw',
    (body) => {
      expect(parseCommentCommand(body)).toEqual({ kind: 'none' });
    },
  );

  it('an unknown command or stray argument is invalid, and the reason never echoes the comment', () => {
    const evil = '/thaw <img src=x onerror=alert(1)>';
    const parsed = parseCommentCommand(evil);
    expect(parsed).toMatchObject({ kind: 'invalid' });
    expect(JSON.stringify(parsed)).not.toContain('img');
    expect(parseCommentCommand('/thaw wake now')).toMatchObject({ kind: 'invalid' });
    expect(parseCommentCommand('/thaw explode')).toMatchObject({ kind: 'invalid' });
  });
});
