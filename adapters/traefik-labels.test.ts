import { describe, expect, it } from 'vitest';
import { parseSpec } from '../core/spec.ts';
import { traefikLabels } from './ecs-orchestrator.ts';

const spec = parseSpec({
  protection: { ipAllowList: ['203.0.113.0/24', '198.51.100.7'], basicAuth: true },
  services: { web: { image: 'ghcr.io/acme/web', port: 3000 } },
});

describe('traefikLabels with a spec protection', () => {
  it("defines the stack's own allow-list in its labels and references the edge's basic auth by @file", () => {
    const labels = traefikLabels('pr-7', 'web', spec.services.web!, {
      domain: 'qa.example.com',
      protection: spec.protection,
    });
    expect(labels['traefik.http.middlewares.thaw-ip-allowlist--pr-7.ipallowlist.sourcerange']).toBe(
      '203.0.113.0/24,198.51.100.7',
    );
    expect(labels['traefik.http.middlewares.thaw-ip-allowlist--pr-7.ipallowlist.ipstrategy.depth']).toBe('1');
    expect(labels['traefik.http.routers.thaw-pr-7-web.middlewares']).toBe(
      'thaw-ip-allowlist--pr-7@ecs,thaw-basic-auth@file',
    );
    // No credential in a task definition: the htpasswd lines live only on the edge.
    expect(Object.values(labels).join('\n')).not.toContain('$2');
  });

  it('without one, the router has no middlewares label (the edge guards the entry point)', () => {
    const labels = traefikLabels('pr-7', 'web', spec.services.web!, { domain: 'qa.example.com' });
    expect(Object.keys(labels).filter((k) => k.includes('middlewares'))).toEqual([]);
  });
});
