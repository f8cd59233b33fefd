import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { expect, it } from 'vitest';
import { silentLog } from '../../core/ports.ts';
import { startDev } from '../../local/start-dev.ts';
import { devRouters } from '../helpers/dev-routers.ts';
import { getVia } from '../helpers/http.ts';
import { waitFor } from '../helpers/wait.ts';

const CHROMIUM = process.env.THAW_CHROMIUM ?? '/usr/bin/chromium';
const haveBrowser = existsSync(CHROMIUM);
const requireBrowser = process.env.THAW_REQUIRE_BROWSER === '1';

it('runs the browser test when CI asks for it', () => {
  if (requireBrowser) expect(haveBrowser).toBe(true);
});

it.runIf(haveBrowser)(
  'a browser on a frozen stack sees the waiting page, then lands on the app with no reload by the test',
  async () => {
    // Through real Traefik when it is available, else the built-in router.
    const router = devRouters().at(-1)!;
    const dev = await startDev({
      dataDir: mkdtempSync(join(tmpdir(), 'thaw-browser-')),
      port: 0,
      demo: true,
      idle: '5s',
      freezerIntervalMs: 500,
      router: router.name,
      traefikBin: router.traefikBin,
      log: silentLog,
    });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--headless',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
    try {
      await waitFor(async () => (await dev.store.load('demo'))?.state === 'FROZEN', {
        timeoutMs: 40_000,
        what: 'demo to freeze',
      });
      // Routing of the frozen stack is gone within a router refresh: wait until the launcher answers
      // (its status path, which does not wake the stack).
      await waitFor(
        async () =>
          (
            await getVia(dev.port, `demo.${dev.domain}:${dev.port}`, '/_thaw/status', {
              accept: 'application/json',
            })
          ).fromLauncher,
        { what: 'the router to drop the frozen demo' },
      );
      expect((await dev.store.load('demo'))?.state).toBe('FROZEN');
      const page = await browser.newPage({ viewport: { width: 900, height: 560 } });
      const response = await page.goto(dev.urlOf('demo'), { waitUntil: 'domcontentloaded' });
      expect(response?.status()).toBe(503);
      expect(await response?.headerValue('x-thaw-launcher')).toBe('1');
      expect(await page.locator('[role=progressbar]').count()).toBe(1);
      expect(await page.locator('[role=progressbar]').isVisible()).toBe(true);
      expect(await page.textContent('h1')).toMatch(/Waking up|Almost there/);
      mkdirSync('test-artifacts', { recursive: true });
      await page.screenshot({ path: 'test-artifacts/waiting-page.png' });
      // The page polls and reloads itself once Traefik routes to the stack.
      await page.waitForFunction(() => (document.body.textContent ?? '').includes('Hello from'), undefined, {
        timeout: 40_000,
      });
      expect(await page.textContent('h1')).toContain('Hello from');
      // The web page called the api (cross-service traffic through the router).
      await page.waitForFunction(
        () => /\d+/.test(document.getElementById('visits')?.textContent ?? ''),
        undefined,
        { timeout: 15_000 },
      );
      await page.screenshot({ path: 'test-artifacts/app-page.png' });
    } finally {
      await browser.close();
      await dev.stop();
    }
  },
  120_000,
);
