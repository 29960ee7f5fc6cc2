// Times as the console prints them: UTC, "2026-12-03 08:28:48". The same text on the server and in
// every browser, whatever its time zone and locale, so that a server render and its hydration agree
// (toLocaleString() on either side made React throw #418 for anyone not on the server's zone).

/** An ISO timestamp (any offset) as UTC "YYYY-MM-DD HH:MM:SS"; a text that is not one comes back unchanged. */
export function formatTime(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t).toISOString().replace('T', ' ').slice(0, 19);
}
