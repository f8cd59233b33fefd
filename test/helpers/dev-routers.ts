import { existsSync } from 'node:fs';

/** The routers the end-to-end suites run with: built-in always, real Traefik when its binary is known. */
export function devRouters(): { name: 'builtin' | 'traefik'; traefikBin?: string }[] {
  const routers: { name: 'builtin' | 'traefik'; traefikBin?: string }[] = [{ name: 'builtin' }];
  const bin = process.env.THAW_TRAEFIK_BIN;
  if (bin && existsSync(bin)) routers.push({ name: 'traefik', traefikBin: bin });
  return routers;
}

export const requireTraefik = process.env.THAW_REQUIRE_TRAEFIK === '1';
