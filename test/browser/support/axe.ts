import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface Violation {
  id: string;
  help: string;
  nodes: { target: string[] }[];
}

/** WCAG 2.1 A and AA rules of axe-core (labels, names, roles, contrast, …) on what is on screen. */
export async function violations(page: Page): Promise<string[]> {
  // evaluated, not added as a <script>: the console's content security policy refuses inline scripts
  await page.evaluate(readFileSync(AXE, 'utf8'));
  const found = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((result) => result.violations)`,
  )) as Violation[];
  return found.map(
    (item) => `${item.id}: ${item.help} (${item.nodes.map((node) => node.target.join(' ')).join(', ')})`,
  );
}
