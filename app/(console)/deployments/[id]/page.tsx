import { notFound } from 'next/navigation';
import { PageHeader } from '@/components/shell/page-header';
import { OperationTimeline } from '@/components/deployments/operation-timeline';
import { requirePageUser } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { operation } from '@/server/services/operations';
import { cancelAction } from '../actions';

export const metadata = { title: 'Operation' };

export default async function OperationPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser('viewer');
  const op = operation(runtime(), (await params).id);
  if (!op) notFound();
  return (
    <>
      <PageHeader title={op.purpose} />
      <OperationTimeline initial={op} canCancel={user.role !== 'viewer'} cancel={cancelAction} />
    </>
  );
}
