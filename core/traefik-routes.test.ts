import { describe, expect, it } from 'vitest';
import type { DeploymentProtection } from './protection.ts';
import { parseSpec } from './spec.ts';
import type { Stack } from './stack.ts';
import { dynamicConfig } from './traefik-routes.ts';

const at = new Date('2026-11-30T08:00:00Z');
const stack = (id: string, state: Stack['state'], protection?: unknown): Stack => ({
  id,
  state,
  spec: parseSpec({ ...(protection ? { protection } : {}), services: { web: { run: 'x', port: 3000 } } }),
  images: {},
  pr: null,
  transitionId: 1,
  requirements: [],
  deferred: [],
  pendingDeploy: false,
  lastAccessedAt: null,
  lastRequestAt: null,
  lastCommandAt: null,
  failureReason: null,
  keepUntil: null,
  keptBy: null,
  keepSetAt: null,
  failedIn: null,
  enteredAt: at,
  resentAt: null,
  version: 1,
  createdAt: at,
  updatedAt: at,
});
const source = {
  endpoints: () => [
    { stackId: 'pr-1', service: 'web', urls: ['http://127.0.0.1:4001'] },
    { stackId: 'pr-2', service: 'web', urls: ['http://127.0.0.1:4002'] },
  ],
};
const options = { domain: 'localhost', launcherUrl: 'http://127.0.0.1:9', launcherRouter: 'thaw-launcher' };
const USER = 'tester:$2b$04$dHj7VdzzprvbrL7OJhM2suqoqDT4e5WReAc/qJm8GJ22wQI.9M7o6';

describe('dynamicConfig with protection', () => {
  it('puts the deployment guard on every stack router and the launcher, and a spec guard on its own stack only', () => {
    const protection: DeploymentProtection = { modes: ['basic'], basicAuthUsers: [USER] };
    const config = dynamicConfig(
      [stack('pr-1', 'RUNNING'), stack('pr-2', 'RUNNING', { ipAllowList: ['10.0.0.0/8'] })],
      source,
      { ...options, protection },
    );
    expect(config.http.routers['thaw-pr-1-web']!.middlewares).toEqual(['thaw-basic-auth']);
    expect(config.http.routers['thaw-pr-2-web']!.middlewares).toEqual([
      'thaw-basic-auth',
      'thaw-ip-allowlist--pr-2',
    ]);
    expect(config.http.routers['thaw-launcher']!.middlewares).toEqual(['thaw-basic-auth']);
    expect(config.http.middlewares).toEqual({
      'thaw-basic-auth': { basicAuth: { users: [USER], removeHeader: true } },
      'thaw-ip-allowlist--pr-2': { ipAllowList: { sourceRange: ['10.0.0.0/8'] } },
    });
  });

  it('without protection the configuration is what it always was: no middlewares anywhere', () => {
    const config = dynamicConfig([stack('pr-1', 'RUNNING')], source, options);
    expect('middlewares' in config.http).toBe(false);
    expect(Object.values(config.http.routers).some((r) => 'middlewares' in r)).toBe(false);
  });
});
