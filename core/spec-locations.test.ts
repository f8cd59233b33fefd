import { describe, expect, it } from 'vitest';
import { locateSpecIssue, specProblems } from './spec-locations.ts';

const valid = `idleTimeout: 30m
services:
  web:
    image: ghcr.io/acme/web
    port: 3000
`;

describe('where a thaw.yml problem is (shared by thaw validate and the Action)', () => {
  it('a valid spec has no problems', () => {
    expect(specProblems(valid)).toEqual([]);
  });

  it('a bad field points at its key, with the field as the rule', () => {
    const text = valid.replace('port: 3000', 'port: "three thousand"');
    expect(specProblems(text)).toEqual([
      {
        line: 5,
        column: 5,
        path: 'services.web.port',
        message: expect.stringContaining('"three thousand"'),
        rule: 'services.web.port',
      },
    ]);
  });

  it('an unknown field points at itself', () => {
    const text = `${valid}    prot: 1\n`;
    expect(specProblems(text)).toMatchObject([{ line: 6, column: 5, path: 'services.web.prot' }]);
  });

  it('a YAML syntax error keeps the line and column the parser gives, rule yaml', () => {
    const text = valid.replace('    port: 3000', '    port: [3000');
    const [problem] = specProblems(text);
    expect(problem).toMatchObject({ line: 6, rule: 'yaml', path: '' });
  });

  it('a key holding a dot (quoted in the issue path) is followed, not split', () => {
    const text = 'services:\n  web:\n    image: x\n    port: 1\n    env:\n      "A.B": 1\n';
    expect(locateSpecIssue(text, { path: 'services.web.env."A.B"', message: '' })).toEqual({
      line: 6,
      column: 7,
    });
  });
});
