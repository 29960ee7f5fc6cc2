import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

/** WCAG 2.0 and 2.1, levels A and AA: the rules axe can check by itself. */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * axe-core's serious and critical findings on the page as it is now, one line each (rule, impact,
 * what it asks for, and up to five of the elements it found), so a failing spec prints them all.
 */
export async function seriousViolations(page: Page, opts: { include?: string } = {}): Promise<string[]> {
  const builder = new AxeBuilder({ page }).withTags(TAGS);
  // `include`: only that part of the page (a spec checking its own component in a state the
  // accessibility spec does not reach).
  if (opts.include) builder.include(opts.include);
  const result = await builder.analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => {
      const nodes = v.nodes.map((n) => n.target.join(' ')).slice(0, 5);
      return `${v.id} (${v.impact}, ${v.nodes.length}×): ${v.help} — ${nodes.join(' | ')}`;
    });
}
