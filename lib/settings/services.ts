// The Tale services a compose.override.yml may name (server/stack/types.ts ALL_SERVICES), as a
// tuple zod can take; lib code may not import server/.
export const ALL_SERVICE_NAMES = ['db', 'proxy', 'convex', 'platform', 'rag', 'crawler'] as const;
export type ServiceNameValue = (typeof ALL_SERVICE_NAMES)[number];
