// How the audit page words a refusal counted on its first row rather than repeated as rows.

/** "and 9,999 more until 06:12:05" (UTC, like the page's times), with the date when the burst crossed midnight; '' without repeats. */
export function repeatSummary(event: { at: string; repeatCount: number; lastRepeatAt: string | null }): string {
  if (event.repeatCount <= 0 || !event.lastRepeatAt) return '';
  const sameDay = event.lastRepeatAt.slice(0, 10) === event.at.slice(0, 10);
  const until = sameDay ? event.lastRepeatAt.slice(11, 19) : event.lastRepeatAt.replace('T', ' ').slice(0, 19);
  return `and ${event.repeatCount.toLocaleString('en-US')} more until ${until}`;
}
