import { describe, expect, it } from 'vitest';
import { parseAccessLine } from './parse.ts';

const v3 = {
  ClientHost: '10.0.0.9',
  DownstreamStatus: 200,
  Duration: 1_534_000,
  RequestHost: 'pr-42.qa.example.com',
  RequestMethod: 'GET',
  RequestPath: '/dashboard?tab=1',
  RouterName: 'thaw-pr-42-web@ecs',
  ServiceName: 'thaw-pr-42-web@ecs',
  ServiceURL: 'http://10.0.3.4:3000',
  StartUTC: '2026-11-29T10:00:00.123456789Z',
  level: 'info',
  msg: '',
  time: '2026-11-29T10:00:00Z',
};

describe('parseAccessLine', () => {
  it('reads a Traefik v3 access line', () => {
    expect(parseAccessLine(JSON.stringify(v3))).toEqual({
      kind: 'access',
      line: {
        at: '2026-11-29T10:00:00.124Z', // StartUTC + Duration (1.534 ms), truncated to the ms
        host: 'pr-42.qa.example.com',
        method: 'GET',
        path: '/dashboard?tab=1',
        status: 200,
        router: 'thaw-pr-42-web',
        service: 'thaw-pr-42-web',
        durationMs: 1.534,
      },
    });
  });

  it('reads a v2 line, where ServiceURL is an object', () => {
    const v2 = {
      ...v3,
      ServiceURL: { Scheme: 'http', Host: '10.0.3.4:3000' },
      RouterName: 'thaw-pr-42-web@ecs',
    };
    expect(parseAccessLine(JSON.stringify(v2))).toMatchObject({
      kind: 'access',
      line: { router: 'thaw-pr-42-web' },
    });
  });

  it('a request that matched no router has a null router', () => {
    const { RouterName, ServiceName, ServiceURL, ...rest } = v3;
    expect(parseAccessLine(JSON.stringify({ ...rest, DownstreamStatus: 404 }))).toMatchObject({
      kind: 'access',
      line: { router: null, service: null, status: 404 },
    });
  });

  it.each([
    ['', 'empty line'],
    ['time="2026" level=info msg="Configuration loaded"', 'not JSON'],
    [
      '{"level":"info","msg":"Configuration loaded from flags.","time":"2026-11-29T10:00:00Z"}',
      "Traefik's own log line (no DownstreamStatus)",
    ],
    ['{"DownstreamStatus":200,"StartUTC":"2026-01-01T00:00:00Z"}', 'no RequestHost'],
    [
      `{"DownstreamStatus":200,"RequestHost":"a.b","StartUTC":"yesterday"}`,
      'no valid time (StartUTC, StartLocal or time)',
    ],
    ['{"DownstreamStatus":200, "RequestHost": "a.b", ', 'not JSON'],
    ['[1,2,3]', 'not JSON'],
    ['null', 'not JSON'],
  ])('skips %j: %s', (text, reason) => {
    expect(parseAccessLine(text)).toEqual({ kind: 'skipped', reason });
  });

  const readAt = new Date('2026-11-29T12:00:00Z');
  const { StartUTC, ...withoutStartUtc } = v3;

  it('a line without StartUTC (dropped by accessLog.fields.names) uses StartLocal', () => {
    const line = { ...withoutStartUtc, StartLocal: '2026-11-29T11:00:00.5+01:00' };
    expect(parseAccessLine(JSON.stringify(line), { readAt })).toMatchObject({
      kind: 'access',
      line: { at: '2026-11-29T10:00:00.501Z' },
    });
  });

  it('a line with neither StartUTC nor StartLocal uses time, without adding Duration', () => {
    const line = { ...withoutStartUtc, time: '2026-11-29T10:30:00Z' };
    expect(parseAccessLine(JSON.stringify(line), { readAt })).toMatchObject({
      kind: 'access',
      line: { at: '2026-11-29T10:30:00.000Z' },
    });
  });

  it('an invalid StartUTC falls back to the next field', () => {
    const line = { ...v3, StartUTC: 'garbage', StartLocal: '2026-11-29T10:00:00Z', Duration: 0 };
    expect(parseAccessLine(JSON.stringify(line), { readAt })).toMatchObject({
      line: { at: '2026-11-29T10:00:00.000Z' },
    });
  });

  it('a time in the future (clock skew) is clamped to the time the line was read', () => {
    const line = { ...v3, StartUTC: '2026-11-29T15:00:00Z' };
    expect(parseAccessLine(JSON.stringify(line), { readAt })).toMatchObject({
      line: { at: readAt.toISOString() },
    });
  });

  it.each([0, 101])(
    'a WebSocket line (DownstreamStatus %d) is activity until the connection closed',
    (status) => {
      // Traefik writes it when the socket closes; the start is an hour before.
      const line = { ...v3, DownstreamStatus: status, StartUTC: '2026-11-29T10:00:00Z', Duration: 3600e9 };
      expect(parseAccessLine(JSON.stringify(line), { readAt })).toMatchObject({
        kind: 'access',
        line: { at: '2026-11-29T11:00:00.000Z', status },
      });
    },
  );

  it('lowercases the host and drops a port', () => {
    expect(parseAccessLine(JSON.stringify({ ...v3, RequestHost: 'PR-42.QA.example.com:443' }))).toMatchObject(
      { line: { host: 'pr-42.qa.example.com' } },
    );
  });

  it('a DownstreamStatus that is not a number is status 0, never a crash (found by fuzzing)', () => {
    const line = JSON.stringify({
      DownstreamStatus: { toString: {} },
      RequestHost: 'a.qa.example.com',
      StartUTC: '2026-11-29T10:00:05Z',
    });
    const parsed = parseAccessLine(line);
    expect(parsed.kind === 'access' && parsed.line.status).toBe(0);
  });
});
