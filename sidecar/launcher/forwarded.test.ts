import { describe, expect, it } from 'vitest';
import {
  clientAddress,
  createProxyTrust,
  DEFAULT_TRUSTED_PROXIES,
  forwardedOrigin,
  normalizeAddress,
  parseCidr,
} from './forwarded.ts';

const trust = createProxyTrust(DEFAULT_TRUSTED_PROXIES);

describe('trusted proxies', () => {
  it.each([
    ['127.0.0.1', true],
    ['::1', true],
    ['::ffff:10.1.2.3', true],
    ['10.0.5.9', true],
    ['172.31.255.1', true],
    ['172.32.0.1', false],
    ['192.168.1.1', true],
    ['fd12:3456::1', true],
    ['203.0.113.9', false],
    ['2001:db8::1', false],
    ['not an address', false],
  ])('%s trusted by default: %s', (address, trusted) => {
    expect(trust.isTrusted(address)).toBe(trusted);
  });

  it.each(['10.0.0.0/8', '::1/128', '203.0.113.7', 'fc00::/7'])('parses %s', (text) => {
    expect(parseCidr(text)).toBeDefined();
  });
  it.each(['10.0.0.0/33', '::1/129', 'x/8', '10.0.0.0/8/1', '10.0.0.0/a', ''])('refuses %j', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });

  it.each([
    ['[2001:db8::1]:443', '2001:db8::1'],
    ['203.0.113.9:5555', '203.0.113.9'],
    [' ::FFFF:198.51.100.2 ', '198.51.100.2'],
  ])('normalizes %j to %s', (text, address) => {
    expect(normalizeAddress(text)).toBe(address);
  });
});

describe('clientAddress', () => {
  it.each([
    // X-Forwarded-For, socket, client
    ['6.6.6.6, 203.0.113.9', '127.0.0.1', '203.0.113.9'],
    ['6.6.6.6, 203.0.113.9, 10.0.0.7', '10.0.1.1', '203.0.113.9'],
    ['203.0.113.9', undefined, '203.0.113.9'],
    ['6.6.6.6, 203.0.113.9, 192.168.0.2', undefined, '203.0.113.9'],
    ['6.6.6.6', '198.51.100.4', '198.51.100.4'],
    [undefined, '198.51.100.4', '198.51.100.4'],
    ['10.0.0.1, 127.0.0.1', '127.0.0.1', '127.0.0.1'],
    [undefined, '::ffff:127.0.0.1', '127.0.0.1'],
    [undefined, undefined, 'unknown'],
  ])('X-Forwarded-For %j from socket %s → %s', (forwardedFor, socket, client) => {
    expect(clientAddress(trust, forwardedFor, socket)).toBe(client);
  });

  it('trusts nothing forwarded when no proxy is trusted', () => {
    expect(clientAddress(createProxyTrust([]), '203.0.113.9', '127.0.0.1')).toBe('127.0.0.1');
  });
});

describe('forwardedOrigin', () => {
  const base = {
    trust,
    host: 'pr-1.qa.example.com',
    forwardedProto: 'https',
    forwardedHost: 'pr-1.qa.example.com:8443',
    domain: 'qa.example.com',
  };
  it.each([
    ['127.0.0.1', {}, 'https://pr-1.qa.example.com:8443'],
    [undefined, {}, 'https://pr-1.qa.example.com:8443'],
    ['203.0.113.9', {}, 'http://pr-1.qa.example.com'],
    ['127.0.0.1', { forwardedHost: 'evil.example' }, 'https://pr-1.qa.example.com'],
    ['127.0.0.1', { forwardedHost: 'pr-1.qa.example.com/@evil' }, 'https://pr-1.qa.example.com'],
    ['127.0.0.1', { forwardedProto: 'javascript' }, 'http://pr-1.qa.example.com:8443'],
    ['127.0.0.1', { forwardedHost: 'pr-1.qa.example.com:99999' }, 'https://pr-1.qa.example.com'],
    ['127.0.0.1', { forwardedHost: 'pr-1.qa.example.com.evil.example' }, 'https://pr-1.qa.example.com'],
    ['127.0.0.1', { forwardedProto: 'HTTPS, http' }, 'https://pr-1.qa.example.com:8443'],
    ['127.0.0.1', { forwardedProto: undefined, forwardedHost: undefined }, 'http://pr-1.qa.example.com'],
  ])('from socket %s with %j → %s', (socketAddress, overrides, origin) => {
    expect(forwardedOrigin({ ...base, socketAddress, ...overrides })).toBe(origin);
  });
});
