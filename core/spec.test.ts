import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.ts';
import {
  effectiveSchedule,
  fillPlaceholders,
  idleTimeoutMs,
  parseSpecYaml,
  serviceHost,
  stackHosts,
  ttlMs,
} from './spec.ts';

const valid = `
idleTimeout: 45m
services:
  web:
    image: ghcr.io/acme/web
    run: node web.js
    port: 3000
    env:
      API_URL: "{url:api}"
  api:
    image: ghcr.io/acme/api
    port: 4000
    host: api-{stack}
    health: /healthz
    cpu: 512
    memory: 1024
    database: true
`;

function issuesOf(text: string): string[] {
  try {
    parseSpecYaml(text);
  } catch (error) {
    if (error instanceof ValidationError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('parseSpecYaml', () => {
  it('parses a valid spec with defaults filled', () => {
    const spec = parseSpecYaml(valid);
    expect(idleTimeoutMs(spec)).toBe(45 * 60_000);
    expect(spec.services.web).toMatchObject({
      host: '{stack}',
      health: '/',
      cpu: 256,
      memory: 512,
      replicas: 1,
      database: false,
    });
    expect(spec.services.api?.database).toBe(true);
    expect(stackHosts(spec, 'pr-1', 'qa.example.com')).toEqual([
      'pr-1.qa.example.com',
      'api-pr-1.qa.example.com',
    ]);
  });

  it('names the path, the value and what is allowed', () => {
    expect(issuesOf('services:\n  api:\n    port: 80a\n    image: x\n')).toEqual([
      'services.api.port: expected an integer 1-65535, got "80a"',
    ]);
  });

  it('lists every problem at once', () => {
    const issues = issuesOf(
      'idleTimeout: soon\nservices:\n  Web:\n    port: 1\n  api:\n    port: 70000\n    cpu: 300\n',
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^idleTimeout: expected a duration .*got "soon"$/),
        expect.stringMatching(/^services\.Web: expected a service name/),
        expect.stringMatching(/^services\.api\.port: expected an integer 1-65535, got 70000$/),
        expect.stringMatching(/^services\.api\.cpu: expected Fargate cpu units/),
      ]),
    );
  });

  it('rejects unknown fields, naming what is allowed', () => {
    expect(issuesOf('services:\n  web:\n    port: 1\n    image: x\n    imgae: y\n')).toEqual([
      expect.stringMatching(/^services\.web\.imgae: unknown field, allowed: image, run/),
    ]);
  });

  it('rejects memory that Fargate does not offer for the cpu', () => {
    expect(
      issuesOf('services:\n  web:\n    port: 1\n    image: x\n    cpu: 256\n    memory: 4096\n'),
    ).toEqual(['services.web.memory: expected one of 512, 1024, 2048 MiB for cpu 256, got 4096']);
  });

  it('requires an image or a run command, a host with {stack}, unique routes and known placeholders', () => {
    const issues = issuesOf(`services:
  web:
    port: 1
  api:
    port: 2
    image: x
    host: api
  two:
    port: 3
    image: x
    env:
      X: "{url:nope}"
`);
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^services\.web\.image: expected "image" \(for ECS\) or "run"/),
        expect.stringMatching(/^services\.api\.host: expected a host pattern containing "\{stack\}"/),
        expect.stringMatching(
          /^services\.two\.host: expected a host\/pathPrefix not already used by service "web"/,
        ),
        expect.stringMatching(/^services\.two\.env\.X: expected placeholders/),
      ]),
    );
  });

  it.each([
    ['api.{stack}', /without dots: the wildcard certificate covers only one level/],
    ['{stack}.preview', /without dots: the wildcard certificate covers only one level/],
    ['{stack}0', /"\{stack\}" once, as the whole label or joined by "-"/],
    ['x{stack}', /"\{stack\}" once, as the whole label or joined by "-"/],
    ['{stack}{stack}', /"\{stack\}" once, as the whole label or joined by "-"/],
    ['-{stack}', /"\{stack\}" once, as the whole label or joined by "-"/],
    ['Api-{stack}', /"\{stack\}" once, as the whole label or joined by "-"/],
    ['a-very-long-prefix-for-it-{stack}', /at most 30 characters/],
  ])('refuses the host pattern %s, naming the field, the value and what is allowed', (host, rule) => {
    const issues = issuesOf(`services:\n  web:\n    image: x\n    port: 1\n    host: "${host}"\n`);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^services\.web\.host: expected a host pattern/);
    expect(issues[0]).toMatch(rule);
    expect(issues[0]).toContain(`got ${JSON.stringify(host)}`);
  });

  it.each(['{stack}', 'api-{stack}', '{stack}-api', 'v2-{stack}-api', '0-{stack}'])(
    'accepts the host pattern %s',
    (host) => {
      const spec = parseSpecYaml(`services:\n  web:\n    image: x\n    port: 1\n    host: "${host}"\n`);
      expect(serviceHost(spec.services.web!, 'pr-1', 'qa.example.com')).toBe(
        `${host.replace('{stack}', 'pr-1')}.qa.example.com`,
      );
    },
  );

  it('reports YAML syntax errors with line and column', () => {
    expect(issuesOf('services:\n  web: [unclosed\n')[0]).toMatch(/^line \d+, column \d+: /);
  });

  it('requires at least one service', () => {
    expect(issuesOf('services: {}\n')).toEqual(['services: expected at least one service, got {}']);
  });

  it('fills placeholders', () => {
    const context = {
      stackId: 'pr-2',
      domain: 'localhost',
      urlOf: (s: string) => `http://${s}-pr-2.localhost:8080`,
    };
    expect(fillPlaceholders('{url:api}/v1?s={stack}&d={domain}', context)).toBe(
      'http://api-pr-2.localhost:8080/v1?s=pr-2&d=localhost',
    );
    expect(serviceHost({ host: 'api-{stack}' }, 'pr-2', 'qa.example.com')).toBe('api-pr-2.qa.example.com');
  });
});

describe('schedule and ttl (issue 16)', () => {
  const minimal = 'services:\n  web:\n    run: node web.js\n    port: 3000\n';

  it('parses a schedule with its defaults, and ttl; effectiveSchedule/ttlMs apply the deployment defaults', () => {
    const spec = parseSpecYaml(
      `schedule:\n  timezone: Europe/Berlin\n  warm:\n    - { days: mon-fri, from: "08:30", to: "18:00" }\nttl: 3d\n${minimal}`,
    );
    expect(spec.schedule).toEqual({
      timezone: 'Europe/Berlin',
      warm: [{ days: 'mon-fri', from: '08:30', to: '18:00' }],
      wakeBefore: '5m',
      onlyIfUsedWithin: '7d',
    });
    expect(ttlMs(spec, 14)).toBe(3 * 86_400_000);
    const plain = parseSpecYaml(minimal);
    const fallback = {
      timezone: 'UTC',
      warm: [{ days: 'daily', from: '09:00', to: '10:00' }],
      wakeBefore: '5m',
      onlyIfUsedWithin: '7d',
    };
    expect(effectiveSchedule(plain, fallback)).toBe(fallback);
    expect(effectiveSchedule(parseSpecYaml(`schedule: false\n${minimal}`), fallback)).toBeUndefined();
    expect(ttlMs(plain, 14)).toBe(14 * 86_400_000);
    expect(ttlMs(plain, undefined)).toBeUndefined();
    expect(ttlMs(parseSpecYaml(`ttl: false\n${minimal}`), 14)).toBeUndefined();
  });

  it('names the schedule field that is wrong and what is allowed', () => {
    expect(
      issuesOf(`schedule:\n  timezone: Mars/Olympus\n  warm: [{ from: "08:00", to: "09:00" }]\n${minimal}`),
    ).toEqual([
      'schedule.timezone: expected an IANA time zone such as "Europe/Berlin" or "UTC", got "Mars/Olympus"',
    ]);
    expect(
      issuesOf(
        `schedule:\n  timezone: UTC\n  warm: [{ days: weekdays, from: "08:00", to: "09:00" }]\n${minimal}`,
      )[0],
    ).toMatch(/^schedule\.warm\.0\.days: expected days as "mon-fri"/);
    expect(issuesOf(`ttl: 2 weeks\n${minimal}`)[0]).toMatch(
      /^ttl: expected false or a duration such as "90s", "30m", "2h" or "1d"/,
    );
    expect(issuesOf(`schedule: yes\n${minimal}`)[0]).toMatch(/^schedule: expected false or \{ timezone/);
  });
});
