import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

/** WCAG 2.0 and 2.1, levels A and AA: the rules axe can check by itself. */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * axe-core's serious and critical findings on the page as it is now, one line each (rule, impact,
 * what it asks for, and up to five of the elements it found), so a failing spec prints them all.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => {
      const nodes = v.nodes.map((n) => n.target.join(' ')).slice(0, 5);
      return `${v.id} (${v.impact}, ${v.nodes.length}×): ${v.help} — ${nodes.join(' | ')}`;
    });
}
