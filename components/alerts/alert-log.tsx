import type { AlertAttemptDto } from '@/lib/dto/alerts';
import { formatTime } from '@/lib/format-time';
import { Badge } from '@/components/ui/badge';
import { Cell, Table } from '@/components/ui/table';

function state(a: AlertAttemptDto): { tone: 'good' | 'warn' | 'bad'; text: string } {
  if (a.ok) return { tone: 'good', text: 'sent' };
  if (a.test) return { tone: 'bad', text: 'test failed' };
  if (a.retried) return { tone: 'warn', text: 'failed, retried' };
  if (a.deliveryStatus === 'pending' && a.nextAttemptAt) return { tone: 'warn', text: `failed, retry at ${formatTime(a.nextAttemptAt)}` };
  return { tone: 'bad', text: 'failed, given up' };
}

/** The delivery log: every attempt, newest first, with its error in words (never a secret). */
export function AlertLog({ attempts }: { attempts: AlertAttemptDto[] }) {
  return (
    <section className="space-y-3" data-testid="alert-log">
      <h2 className="font-semibold">Delivery log</h2>
      {attempts.length === 0 ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">Nothing sent yet.</p>
      ) : (
        <Table head={['Time (UTC)', 'Channel', 'Event', 'Attempt', 'Outcome', 'Error']}>
          {attempts.map((a) => {
            const s = state(a);
            return (
              <tr key={a.id} data-testid="alert-log-row">
                <Cell>{formatTime(a.at)}</Cell>
                <Cell>{a.channelName}</Cell>
                <Cell>
                  {a.test ? '[test] ' : ''}
                  {a.title}
                </Cell>
                <Cell>
                  {a.attempt} of {a.maxAttempts}
                </Cell>
                <Cell>
                  <Badge tone={s.tone}>{s.text}</Badge>
                </Cell>
                <Cell>
                  <span className="break-words">{a.error ?? ''}</span>
                </Cell>
              </tr>
            );
          })}
        </Table>
      )}
    </section>
  );
}
