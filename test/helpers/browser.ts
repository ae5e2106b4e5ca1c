import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../workers/config';
import { DEMO_PASSWORD } from './web-stack';

// A real browser for the browser tests: Debian's Chromium driven by playwright-core (never a downloaded browser),
// one context per signed-in person, at the screen size the issue asks pages to be usable at.

/** Debian's package; `GONGKAI_CHROMIUM` points elsewhere on another system. */
export const CHROMIUM_PATH = process.env.GONGKAI_CHROMIUM ?? '/usr/bin/chromium';
export const VIEWPORT = { width: 1366, height: 768 } as const;

/** Chromium as root in a container needs --no-sandbox; the tests only load the app on loopback. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
}

/** A fresh context (own cookies) at 1366×768 in Beijing time, on the sign-in page, not yet signed in. */
export async function openSignInPage(browser: Browser, baseUrl: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: VIEWPORT, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  await page.goto('/login');
  return page;
}

/** Signs in on the sign-in page by typing and clicking, as a person does; resolves on 我的待办. */
export async function signInOn(page: Page, userId: string): Promise<Page> {
  await page.locator('input[name="userId"]').fill(userId);
  await page.locator('input[name="password"]').fill(DEMO_PASSWORD);
  await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.getByRole('button', { name: '登录' }).click()]);
  return page;
}

export type FieldValue = string | boolean;

/**
 * Fills named fields inside `scope` by their kind: a select gets its option chosen, a checkbox ticked or cleared,
 * any other input or text area typed into (a date or datetime-local input takes `YYYY-MM-DD` / `YYYY-MM-DDTHH:mm`).
 */
export async function fillFields(scope: Locator, values: Record<string, FieldValue>): Promise<void> {
  for (const [name, value] of Object.entries(values)) {
    const field = scope.locator(`[name="${name}"]`);
    if ((await field.count()) !== 1) throw new Error(`expected one field named ${name}, found ${await field.count()}`);
    const kind = await field.evaluate((element) => `${element.tagName.toLowerCase()}:${element.getAttribute('type') ?? ''}`);
    if (kind.startsWith('select:')) await field.selectOption(String(value));
    else if (kind === 'input:checkbox') await field.setChecked(value === true);
    else await field.fill(String(value));
  }
}

/** Reloads `page` until `ready` holds: the register, the visibility store and letters catch up within seconds. */
export async function reloadUntil(page: Page, ready: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`${what}: not shown within ${timeoutMs / 1000} s on ${page.url()}`);
    await page.waitForTimeout(300);
    await page.reload();
  }
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The width and height from a PNG's header, or undefined if the bytes are not a PNG. */
export function pngSize(bytes: Buffer): { width: number; height: number } | undefined {
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE) || bytes.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/**
 * Screenshots of the viewport. With `UPDATE_SCREENSHOTS=1` they replace docs/screenshots/<name>.png (the README
 * shows them); otherwise they go to a temporary directory, so a normal test run leaves the checkout alone.
 */
export class Screenshots {
  readonly directory: string;
  private readonly temporary: boolean;
  readonly taken: string[] = [];

  constructor(update = process.env.UPDATE_SCREENSHOTS === '1') {
    this.temporary = !update;
    this.directory = update ? join(PROJECT_ROOT, 'docs', 'screenshots') : mkdtempSync(join(tmpdir(), 'gongkai-screenshots-'));
    mkdirSync(this.directory, { recursive: true });
  }

  /** Saves the viewport (1366×768) as `<name>.png`; returns the file's path. */
  async take(page: Page, name: string): Promise<string> {
    const path = join(this.directory, `${name}.png`);
    // No focus ring from the last field typed into.
    await page.evaluate('document.activeElement?.blur?.()');
    await page.screenshot({ path, fullPage: false, animations: 'disabled' });
    this.taken.push(path);
    return path;
  }

  /** Each screenshot taken, with its PNG size (undefined when the file is not a PNG). */
  sizes(): { name: string; bytes: number; size: ReturnType<typeof pngSize> }[] {
    return this.taken.map((path) => {
      const bytes = readFileSync(path);
      return { name: path.slice(this.directory.length + 1), bytes: bytes.length, size: pngSize(bytes) };
    });
  }

  dispose(): void {
    if (this.temporary) rmSync(this.directory, { recursive: true, force: true });
  }
}
