import { describe, expect, it } from 'vitest';
import { compileRule, routeTable, UnsupportedRuleError } from './router-rules.ts';

describe('dev router rules', () => {
  it('matches Host, HostRegexp, PathPrefix and &&', () => {
    expect(compileRule('Host(`demo.localhost`)')('demo.localhost', '/')).toBe(true);
    expect(compileRule('Host(`demo.localhost`)')('DEMO.localhost', '/')).toBe(true);
    expect(compileRule('Host(`demo.localhost`)')('x.localhost', '/')).toBe(false);
    expect(compileRule('HostRegexp(`^.+\\.localhost$`)')('anything.localhost', '/a')).toBe(true);
    expect(compileRule('HostRegexp(`^.+\\.localhost$`)')('localhost', '/a')).toBe(false);
    const both = compileRule('Host(`api-demo.localhost`) && PathPrefix(`/v1`)');
    expect(both('api-demo.localhost', '/v1/things')).toBe(true);
    expect(both('api-demo.localhost', '/v2')).toBe(false);
  });

  it('refuses what it does not implement', () => {
    expect(() => compileRule('Header(`x`, `y`)')).toThrow(UnsupportedRuleError);
    expect(() => compileRule('Host(`a`) || Host(`b`)')).toThrow(UnsupportedRuleError);
  });

  it('picks the highest priority; priority defaults to the rule length; the catch-all (priority 1) comes last', () => {
    const table = routeTable({
      'thaw-launcher': { rule: 'HostRegexp(`^.+\\.localhost$`)', priority: 1 },
      web: { rule: 'Host(`demo.localhost`)' },
      api: { rule: 'Host(`demo.localhost`) && PathPrefix(`/api`)' },
    });
    expect(table.match('demo.localhost', '/api/x')?.name).toBe('api');
    expect(table.match('demo.localhost', '/')?.name).toBe('web');
    expect(table.match('frozen.localhost', '/')?.name).toBe('thaw-launcher');
    expect(table.match('example.com', '/')).toBeUndefined();
  });
});
