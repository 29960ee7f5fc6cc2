import type { ActionResult } from '@/lib/action-result';

/** A server action as the settings components receive it from the page. */
export type SettingsAction<T = unknown> = (input: unknown) => Promise<ActionResult<T>>;
