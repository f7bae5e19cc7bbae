import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';

/** Debian's Chromium binary; /usr/bin/chromium is a wrapper that re-enables background networking. */
export const CHROMIUM = '/usr/lib/chromium/chromium';

export const CONFIG_FILE = 'web/vite.config.ts';

/**
 * Builds the page into a fresh folder and serves it on 127.0.0.1 with Vite's preview
 * server, which sends the same Content-Security-Policy as the page's meta tag.
 */
export async function buildAndServePage(): Promise<{ server: PreviewServer; url: string; folder: string }> {
  const folder = mkdtempSync(join(tmpdir(), 'geomask-web-'));
  await build({ configFile: CONFIG_FILE, logLevel: 'warn', build: { outDir: folder, emptyOutDir: true } });
  const server = await preview({ configFile: CONFIG_FILE, logLevel: 'warn', build: { outDir: folder }, preview: { port: 0, strictPort: false, open: false } });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('the preview server reported no local URL');
  return { server, url, folder };
}

/**
 * Chromium flags that keep it off the network: no background services, every host name
 * except 127.0.0.1 unresolvable, and a proxy on a closed port.
 */
export const NETWORK_OFF_ARGS = [
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--proxy-server=http://127.0.0.1:9',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
];

/**
 * Launches headless Chromium with NETWORK_OFF_ARGS and a fresh profile. With `webgpu`
 * it adds --enable-unsafe-webgpu, which gives a SwiftShader adapter on Linux; without
 * it Chromium 156 offers no adapter. Playwright passes its own --enable-features, and a
 * second such flag would replace it, so this launch adds none.
 */
export async function launchChromium(options: { webgpu: boolean }): Promise<BrowserContext> {
  const args = [...NETWORK_OFF_ARGS];
  if (options.webgpu) args.push('--enable-unsafe-webgpu');
  const profile = mkdtempSync(join(tmpdir(), 'geomask-chromium-'));
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false,
    args,
    acceptDownloads: true,
    viewport: { width: 1280, height: 800 },
  });
}

export function chromiumInstalled(): boolean {
  return existsSync(CHROMIUM);
}
