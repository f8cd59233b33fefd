import { ThawError } from '../core/errors.ts';

/** A rule this router does not understand (it implements the subset Thaw writes). */
export class UnsupportedRuleError extends ThawError {
  override name = 'UnsupportedRuleError';
}

export type Matcher = (host: string, path: string) => boolean;

const MATCHER = /^\s*(Host|HostRegexp|PathPrefix|Path)\(`([^`]*)`\)\s*$/;

/**
 * Compiles the Traefik v3 rule subset Thaw uses: Host, HostRegexp, PathPrefix and Path matchers
 * joined with `&&`. Host matching ignores case; the port is not part of the host.
 */
export function compileRule(rule: string): Matcher {
  const parts = rule.split('&&').map((part) => {
    const match = MATCHER.exec(part);
    if (!match)
      throw new UnsupportedRuleError(
        `unsupported rule ${JSON.stringify(rule)}: use Host, HostRegexp, PathPrefix, Path and &&`,
      );
    const [, kind, value] = match as unknown as [string, string, string];
    switch (kind) {
      case 'Host': {
        const host = value.toLowerCase();
        return (h: string) => h.toLowerCase() === host;
      }
      case 'HostRegexp': {
        const re = new RegExp(value, 'i');
        return (h: string) => re.test(h);
      }
      case 'PathPrefix':
        return (_h: string, p: string) => p.startsWith(value);
      default:
        return (_h: string, p: string) => p === value;
    }
  });
  return (host, path) => parts.every((matches) => matches(host, path));
}

export interface RouteTable<R> {
  match(host: string, path: string): R | undefined;
}

/**
 * Traefik's router selection: every router whose rule matches, the highest priority wins, and a
 * router's priority is its rule's length unless set. No fall-through past the chosen router.
 */
export function routeTable<R extends { rule: string; priority?: number }>(
  routers: Record<string, R>,
): RouteTable<R & { name: string }> {
  const compiled = Object.entries(routers)
    .map(([name, router]) => ({
      name,
      router,
      matches: compileRule(router.rule),
      priority: router.priority ?? router.rule.length,
    }))
    .sort((a, b) => b.priority - a.priority || a.name.localeCompare(b.name));
  return {
    match(host, path) {
      const found = compiled.find((entry) => entry.matches(host.toLowerCase(), path));
      return found ? { ...found.router, name: found.name } : undefined;
    },
  };
}
