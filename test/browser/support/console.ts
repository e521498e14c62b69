import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = resolve(__dirname, '../artifacts');

/** Flags for a closed network: no background fetches, no component updates, no QUIC. */
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface ConsoleHarness {
  url: string;
  browser: Browser;
  /** A new page (fresh context: empty sessionStorage) at 1280×800 unless told. */
  page(viewport?: { width: number; height: number }): Promise<Page>;
  /** A dev token, for seeding through the API. */
  token(tenant: string, roles: string[], sub?: string): Promise<string>;
  /** A JSON call to the API; throws on anything but 2xx. */
  call<T = unknown>(
    token: string,
    method: string,
    path: string,
    body?: unknown,
    ifMatch?: number,
  ): Promise<T>;
  stop(): Promise<void>;
}

/** The product as `npm start -- --memory` runs it (same stack, free port), and Debian's Chromium. */
export async function startConsole(
  options: { auth?: { jwksUrl: string; issuer: string; audience: string } } = {},
): Promise<ConsoleHarness> {
  if (!existsSync(CHROMIUM))
    throw new Error(`No Chromium at ${CHROMIUM}: .ci/run installs Debian's chromium`);
  mkdirSync(ARTIFACTS, { recursive: true });
  const stack: LocalStack = await startLocalStack({
    memory: true,
    port: 0,
    ...(options.auth ? { auth: options.auth } : {}),
  });
  const url = stack.url!;
  const refusedByPolicy: string[] = [];
  // playwright-core makes a fresh, empty user-data-dir for every launch.
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  const call = async (token: string, method: string, path: string, body?: unknown, ifMatch?: number) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(ifMatch === undefined ? {} : { 'if-match': `"${ifMatch}"` }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return {
    url,
    browser,
    async page(viewport = { width: 1280, height: 800 }) {
      const context = await browser.newContext({ viewport, baseURL: url });
      const page = await context.newPage();
      // whatever the content security policy refuses is a failure of the run (see stop)
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) refusedByPolicy.push(message.text());
      });
      return page;
    },
    async token(tenant, roles, sub = `user@${tenant}`) {
      const response = await fetch(`${url}/dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tenant, roles, sub }),
      });
      return ((await response.json()) as { token: string }).token;
    },
    call,
    async stop() {
      await browser.close();
      await stack.stop();
      if (refusedByPolicy.length > 0)
        throw new Error(`The console broke its content security policy:\n${refusedByPolicy.join('\n')}`);
    },
  };
}

/** Signs in through the console's own form. */
export async function signIn(page: Page, tenant: string, role: string, user = `${role}@${tenant}`) {
  await page.goto('/');
  await page.getByLabel('Tenant').fill(tenant);
  await page.getByLabel('Role').selectOption(role);
  await page.getByLabel('User').fill(user);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('who').waitFor();
}

export const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

let counter = 0;
/** A tenant id of this run's own. */
export const newTenant = (prefix = 'web') =>
  `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

/** The two screens the workspace is proven on: a laptop and a tablet held upright. */
export const VIEWPORTS = [
  { name: 'laptop', width: 1280, height: 800 },
  { name: 'tablet', width: 820, height: 1180 },
] as const;
