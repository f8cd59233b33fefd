import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { DEFAULT_TRUSTED_PROXIES } from './launcher/forwarded.ts';

const required = {
  STACK_DOMAIN: 'qa.example.com',
  DATABASE_URL: 'postgres://thaw@db/thaw',
  EVENTS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/events.fifo',
};

describe('sidecar configuration: forwarded headers and held requests', () => {
  it('trusts loopback and the private ranges by default, and caps held requests', () => {
    expect(loadConfig(required)).toMatchObject({
      TRUSTED_PROXIES: [...DEFAULT_TRUSTED_PROXIES],
      MAX_HELD_PER_STACK: 100,
      MAX_HELD: 1000,
    });
  });

  it.each([
    ['10.0.0.0/16, 127.0.0.1', ['10.0.0.0/16', '127.0.0.1']],
    ['none', []],
    ['::1/128,', ['::1/128']],
  ])('TRUSTED_PROXIES=%j → %j', (value, list) => {
    expect(loadConfig({ ...required, TRUSTED_PROXIES: value }).TRUSTED_PROXIES).toEqual(list);
  });

  it('refuses a TRUSTED_PROXIES entry that is not a CIDR range, naming the setting and the value', () => {
    expect(() => loadConfig({ ...required, TRUSTED_PROXIES: '10.0.0.0/8, traefik' })).toThrow(
      /TRUSTED_PROXIES[\s\S]*CIDR/,
    );
  });
});
