import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { RoleBadgeView } from './role-badge';

// The badge says the role the user acts with in the page's environment, and says so in words when
// a grant there differs from their console-wide role.
const text = (html: string) => html.replace(/<[^>]+>/g, '');

describe('RoleBadgeView', () => {
  it('shows the role granted in the current environment, not the console-wide one', () => {
    const down = renderToStaticMarkup(<RoleBadgeView accountRole="operator" here={{ name: 'Production', role: 'viewer' }} />);
    expect(text(down)).toBe('viewer in Production');
    expect(down).toContain('title="viewer in Production (operator elsewhere)"');
    expect(text(renderToStaticMarkup(<RoleBadgeView accountRole="viewer" here={{ name: 'Staging', role: 'operator' }} />))).toBe('operator in Staging');
  });

  it('shows the plain role where no grant changes it, and for an unknown environment', () => {
    expect(text(renderToStaticMarkup(<RoleBadgeView accountRole="operator" here={{ name: 'Local', role: 'operator' }} />))).toBe('operator');
    expect(text(renderToStaticMarkup(<RoleBadgeView accountRole="admin" here={null} />))).toBe('admin');
  });
});
