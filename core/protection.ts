import { z } from 'zod';

/**
 * Protected previews (issue 16, item 4): who may see a stack and wake it. Enforced by Traefik
 * middlewares on every stack router and on the launcher catch-all, and by the built-in dev router,
 * which applies the same middleware definitions. Option names are Traefik v3's:
 * https://doc.traefik.io/reference/routing-configuration/http/middlewares/basicauth (users),
 * https://doc.traefik.io/traefik/middlewares/http/ipallowlist/ (sourceRange),
 * https://doc.traefik.io/traefik/v3.3/reference/routing-configuration/http/middlewares/forwardauth
 * (address, trustForwardHeader, authResponseHeaders).
 */
export const PROTECTION_MODES = ['basic', 'ip', 'forward-auth'] as const;
export type ProtectionMode = (typeof PROTECTION_MODES)[number];

/** The deployment's setting: which guards apply by default, and the credentials they use. */
export interface DeploymentProtection {
  /** Guards every stack gets unless its spec says otherwise; empty: previews are public. */
  modes: ProtectionMode[];
  /** htpasswd lines, `name:<bcrypt hash>` (needed by mode basic and by a spec's basicAuth). */
  basicAuthUsers?: string[];
  /** CIDRs or addresses (mode ip). */
  ipAllowList?: string[];
  /** The OAuth2 proxy's auth endpoint, e.g. oauth2-proxy's http://oauth2-proxy:4180/oauth2/auth. */
  forwardAuthUrl?: string;
}

export const NO_PROTECTION: DeploymentProtection = { modes: [] };

export const MIDDLEWARE = {
  basicAuth: 'thaw-basic-auth',
  ipAllowList: 'thaw-ip-allowlist',
  forwardAuth: 'thaw-forward-auth',
  /** In AWS: the deployment's guards as one chain, defined by the edge's file provider. */
  deployment: 'thaw-protect',
} as const;

/** bcrypt only: Traefik also takes apr1/SHA1, but those are weak, and one format is one verifier. */
const HTPASSWD_LINE = /^[^:\s]+:\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;
export const HTPASSWD_RULE = 'htpasswd lines "name:<bcrypt hash>" (htpasswd -nbB name password)';

const ADDRESS = z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()]);
export function isCidr(text: string): boolean {
  return ADDRESS.safeParse(text).success;
}

export const cidrSchema = z
  .string({ error: 'expected a CIDR such as 203.0.113.0/24 or an address' })
  .refine(isCidr, { error: 'expected a CIDR such as 203.0.113.0/24 or an address' });

/**
 * The spec's `protection`: guards this stack's routers get ON TOP of the deployment's (a spec can
 * tighten, never loosen: on ECS the deployment's guard sits on the entry point, before any router).
 */
export const specProtectionSchema = z.strictObject(
  {
    basicAuth: z.boolean({ error: 'expected true or false' }).optional(),
    ipAllowList: z.array(cidrSchema).min(1, { error: 'expected at least one CIDR' }).optional(),
    forwardAuth: z.boolean({ error: 'expected true or false' }).optional(),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? 'allowed: basicAuth, ipAllowList, forwardAuth'
        : issue.code === 'invalid_type'
          ? 'expected { basicAuth?: true, ipAllowList?: [CIDR, …], forwardAuth?: true }'
          : undefined,
  },
);
export type SpecProtection = z.infer<typeof specProtectionSchema>;

/** Problems with a deployment setting (a mode without its credentials, a bad line): empty when fine. */
export function protectionProblems(p: DeploymentProtection): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (p.modes.includes('basic') && !p.basicAuthUsers?.length)
    problems.push({ path: 'BASIC_AUTH_USERS', message: `protection "basic" needs ${HTPASSWD_RULE}` });
  for (const line of p.basicAuthUsers ?? [])
    if (!HTPASSWD_LINE.test(line))
      problems.push({
        path: 'BASIC_AUTH_USERS',
        message: `expected ${HTPASSWD_RULE}, got a line for ${JSON.stringify(line.split(':')[0])}`,
      });
  if (p.modes.includes('ip') && !p.ipAllowList?.length)
    problems.push({ path: 'IP_ALLOWLIST', message: 'protection "ip" needs at least one CIDR' });
  for (const cidr of p.ipAllowList ?? [])
    if (!isCidr(cidr))
      problems.push({ path: 'IP_ALLOWLIST', message: `expected CIDRs, got ${JSON.stringify(cidr)}` });
  if (p.modes.includes('forward-auth') && !p.forwardAuthUrl)
    problems.push({ path: 'FORWARD_AUTH_URL', message: 'protection "forward-auth" needs a URL' });
  return problems;
}

export type Middleware =
  | { basicAuth: { users: string[]; removeHeader: boolean } }
  | { ipAllowList: { sourceRange: string[] } }
  | {
      forwardAuth: { address: string; trustForwardHeader: boolean; authResponseHeaders: string[] };
    };

/** The deployment-wide middleware definitions: one per configured credential. */
export function deploymentMiddlewares(p: DeploymentProtection): Record<string, Middleware> {
  const middlewares: Record<string, Middleware> = {};
  if (p.ipAllowList?.length)
    middlewares[MIDDLEWARE.ipAllowList] = { ipAllowList: { sourceRange: p.ipAllowList } };
  // removeHeader: the preview app never sees the testers' password.
  if (p.basicAuthUsers?.length)
    middlewares[MIDDLEWARE.basicAuth] = { basicAuth: { users: p.basicAuthUsers, removeHeader: true } };
  if (p.forwardAuthUrl)
    middlewares[MIDDLEWARE.forwardAuth] = {
      forwardAuth: {
        address: p.forwardAuthUrl,
        // Traefik is the first hop it trusts (the ALB's X-Forwarded-* are trusted at the entry point).
        trustForwardHeader: false,
        authResponseHeaders: ['X-Auth-Request-User', 'X-Auth-Request-Email'],
      },
    };
  return middlewares;
}

/** A stack's own IP allow-list (from its spec), when it differs from the deployment's. */
export function stackIpMiddlewareName(stackId: string): string {
  return `${MIDDLEWARE.ipAllowList}--${stackId}`;
}

/** The deployment's guards, as middleware names in the order they run (ip, basic, forward). */
export function deploymentGuardNames(deployment: DeploymentProtection): string[] {
  const order: [ProtectionMode, string][] = [
    ['ip', MIDDLEWARE.ipAllowList],
    ['basic', MIDDLEWARE.basicAuth],
    ['forward-auth', MIDDLEWARE.forwardAuth],
  ];
  return order.filter(([mode]) => deployment.modes.includes(mode)).map(([, name]) => name);
}

/**
 * What a stack's spec adds to its routers: its own IP allow-list (defined for it alone), then the
 * deployment's basic auth / forward auth credentials when it asks for them and the deployment does
 * not apply them already. `provider` suffixes the deployment-wide names ("file" for ECS labels).
 */
export function specMiddlewares(
  stackId: string,
  spec: SpecProtection | undefined,
  deployment: DeploymentProtection = NO_PROTECTION,
  provider?: string,
): { names: string[]; definitions: Record<string, Middleware> } {
  const at = (name: string) => (provider ? `${name}@${provider}` : name);
  const names: string[] = [];
  const definitions: Record<string, Middleware> = {};
  if (spec?.ipAllowList) {
    const name = stackIpMiddlewareName(stackId);
    definitions[name] = { ipAllowList: { sourceRange: spec.ipAllowList } };
    names.push(name);
  }
  if (spec?.basicAuth && !deployment.modes.includes('basic')) names.push(at(MIDDLEWARE.basicAuth));
  if (spec?.forwardAuth && !deployment.modes.includes('forward-auth')) names.push(at(MIDDLEWARE.forwardAuth));
  return { names, definitions };
}

/**
 * The middlewares of one stack router in thaw dev's dynamic configuration: the deployment's guards,
 * then what its spec adds. (On ECS the deployment's guards sit on the entry point instead.)
 */
export function stackRouterMiddlewares(
  stackId: string,
  deployment: DeploymentProtection,
  spec: SpecProtection | undefined,
): { names: string[]; definitions: Record<string, Middleware> } {
  const own = specMiddlewares(stackId, spec, deployment);
  return { names: [...deploymentGuardNames(deployment), ...own.names], definitions: own.definitions };
}

/** The launcher catch-all's middlewares: the deployment's guards (it serves stacks it cannot name). */
export function launcherMiddlewares(deployment: DeploymentProtection): string[] {
  return deploymentGuardNames(deployment);
}

/** `off`, or a comma-separated list of modes, e.g. `basic` or `ip,basic`. */
export function parseProtectionModes(text: string): ProtectionMode[] | undefined {
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (items.length === 1 && items[0] === 'off') return [];
  if (!items.length || items.some((item) => !PROTECTION_MODES.includes(item as ProtectionMode)))
    return undefined;
  return [...new Set(items as ProtectionMode[])];
}

/** htpasswd file contents → its lines (blank lines and # comments dropped). */
export function htpasswdLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}
