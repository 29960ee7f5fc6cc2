import type { SelectHTMLAttributes } from 'react';
import { ROLES } from '@/lib/roles';
import { Select } from './input';

/** A <select> of the console's roles; its other props (name, value, aria-*) pass through. */
export function RoleSelect(props: Omit<SelectHTMLAttributes<HTMLSelectElement>, 'children'>) {
  return (
    <Select {...props}>
      {ROLES.map((r) => (
        <option key={r} value={r}>
          {r}
        </option>
      ))}
    </Select>
  );
}
