import { AlertChannels } from '@/components/alerts/alert-channels';
import { AlertLog } from '@/components/alerts/alert-log';
import { PageHeader } from '@/components/shell/page-header';
import { requirePageCaller } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { alertThresholds, listAlertChannels, listAlertDeliveries } from '@/server/services/alerts';
import { createAlertChannelAction, deleteAlertChannelAction, testAlertChannelAction, updateAlertChannelAction } from './actions';

export const metadata = { title: 'Alerts' };
export const dynamic = 'force-dynamic';

export default async function AlertsPage() {
  const caller = await requirePageCaller('viewer');
  const rt = runtime();
  const t = alertThresholds(rt, caller);
  const every = (s: number) => (s < 60 ? `${s} s` : `${Math.round(s / 60)} min`);
  return (
    <div className="space-y-8">
      <PageHeader title="Alerts">
        Where the console says that something happened: a signed webhook, a Slack-compatible webhook or email. A failed delivery is retried after 30 s, 2 min, 10 min and 1 h, then given up.
        {` A container alerts after ${every(t.healthThresholdSeconds)} unhealthy or restarting; the disk of ${t.diskPath} at ${t.diskPercent} % and the memory at ${t.memoryPercent} % used (checked every ${every(t.checkSeconds)}, again after 5 points below); the TLS certificate ${t.tlsDays} days before it expires. These are the ALERT_* settings of the console's environment.`}
      </PageHeader>
      <AlertChannels
        channels={listAlertChannels(rt, caller)}
        canEdit={caller.user.role === 'admin'}
        actions={{ create: createAlertChannelAction, update: updateAlertChannelAction, remove: deleteAlertChannelAction, test: testAlertChannelAction }}
      />
      <AlertLog attempts={listAlertDeliveries(rt, caller, { limit: 50 })} />
    </div>
  );
}
