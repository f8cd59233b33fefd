import { describe, expect, it } from 'vitest';
import {
  type DeploymentProtection,
  deploymentMiddlewares,
  htpasswdLines,
  launcherMiddlewares,
  parseProtectionModes,
  protectionProblems,
  specMiddlewares,
  specProtectionSchema,
  stackRouterMiddlewares,
} from './protection.ts';

const USER = 'tester:$2b$04$dHj7VdzzprvbrL7OJhM2suqoqDT4e5WReAc/qJm8GJ22wQI.9M7o6';
const all: DeploymentProtection = {
  modes: ['basic'],
  basicAuthUsers: [USER],
  ipAllowList: ['203.0.113.0/24'],
  forwardAuthUrl: 'http://oauth2-proxy:4180/oauth2/auth',
};

describe('deployment middlewares', () => {
  it('defines one Traefik middleware per configured credential, with Traefik v3 option names', () => {
    expect(deploymentMiddlewares(all)).toEqual({
      'thaw-ip-allowlist': { ipAllowList: { sourceRange: ['203.0.113.0/24'] } },
      'thaw-basic-auth': { basicAuth: { users: [USER], removeHeader: true } },
      'thaw-forward-auth': {
        forwardAuth: {
          address: 'http://oauth2-proxy:4180/oauth2/auth',
          trustForwardHeader: false,
          authResponseHeaders: ['X-Auth-Request-User', 'X-Auth-Request-Email'],
        },
      },
    });
    expect(deploymentMiddlewares({ modes: [] })).toEqual({});
  });

  it('lists every problem: a mode without credentials, a non-bcrypt line, a bad CIDR', () => {
    expect(protectionProblems({ modes: ['basic', 'ip', 'forward-auth'] }).map((p) => p.path)).toEqual([
      'BASIC_AUTH_USERS',
      'IP_ALLOWLIST',
      'FORWARD_AUTH_URL',
    ]);
    const problems = protectionProblems({
      modes: ['basic'],
      basicAuthUsers: ['old:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/'],
      ipAllowList: ['10.0.0.0/33'],
    });
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringContaining('bcrypt'),
      'expected CIDRs, got "10.0.0.0/33"',
    ]);
    expect(protectionProblems(all)).toEqual([]);
  });
});

describe('which routers use them', () => {
  it.each([
    ['no deployment guard, no spec', { modes: [] }, undefined, []],
    ['deployment basic', all, undefined, ['thaw-basic-auth']],
    [
      'deployment ip + basic + forward-auth, in that order',
      { ...all, modes: ['forward-auth', 'basic', 'ip'] },
      undefined,
      ['thaw-ip-allowlist', 'thaw-basic-auth', 'thaw-forward-auth'],
    ],
    [
      'a spec cannot loosen: basicAuth false on a basic deployment',
      all,
      { basicAuth: false },
      ['thaw-basic-auth'],
    ],
    [
      'spec basicAuth on a public deployment',
      { ...all, modes: [] },
      { basicAuth: true },
      ['thaw-basic-auth'],
    ],
    [
      "spec's own allow-list comes on top of the deployment's guards",
      all,
      { ipAllowList: ['198.51.100.7'] },
      ['thaw-basic-auth', 'thaw-ip-allowlist--pr-1'],
    ],
    ['spec basicAuth on a basic deployment: once', all, { basicAuth: true }, ['thaw-basic-auth']],
  ] as [string, DeploymentProtection, unknown, string[]][])('%s', (_name, deployment, spec, names) => {
    const parsed = spec === undefined ? undefined : specProtectionSchema.parse(spec);
    expect(stackRouterMiddlewares('pr-1', deployment, parsed).names).toEqual(names);
  });

  it("a spec's own allow-list is defined for that stack; deployment names get a provider suffix for labels", () => {
    expect(
      specMiddlewares(
        'pr-1',
        { ipAllowList: ['198.51.100.7'], basicAuth: true, forwardAuth: true },
        undefined,
        'file',
      ),
    ).toEqual({
      names: ['thaw-ip-allowlist--pr-1', 'thaw-basic-auth@file', 'thaw-forward-auth@file'],
      definitions: { 'thaw-ip-allowlist--pr-1': { ipAllowList: { sourceRange: ['198.51.100.7'] } } },
    });
    expect(specMiddlewares('pr-1', undefined)).toEqual({ names: [], definitions: {} });
  });

  it('the launcher catch-all carries the deployment guards (it cannot tell a stack from a host it does not know)', () => {
    expect(launcherMiddlewares(all)).toEqual(['thaw-basic-auth']);
    expect(launcherMiddlewares({ modes: [] })).toEqual([]);
  });

  it('rejects a spec protection that is not false or the known object', () => {
    expect(specProtectionSchema.safeParse(true).success).toBe(false);
    expect(specProtectionSchema.safeParse(false).success).toBe(false);
    expect(specProtectionSchema.safeParse({ password: 'x' }).success).toBe(false);
    expect(specProtectionSchema.safeParse({ ipAllowList: ['not-an-ip'] }).success).toBe(false);
    expect(specProtectionSchema.safeParse({ ipAllowList: ['2001:db8::/32'] }).success).toBe(true);
  });
});

describe('settings text', () => {
  it.each([
    ['off', []],
    ['basic', ['basic']],
    [' ip , basic,ip ', ['ip', 'basic']],
    ['forward-auth', ['forward-auth']],
    ['password', undefined],
    ['off,basic', undefined],
    ['', undefined],
  ])('modes %j → %j', (text, modes) => {
    expect(parseProtectionModes(text)).toEqual(modes);
  });

  it('reads htpasswd lines, skipping blanks and comments', () => {
    expect(htpasswdLines(`# testers\n${USER}\r\n\n  other:x  \n`)).toEqual([USER, 'other:x']);
  });
});
