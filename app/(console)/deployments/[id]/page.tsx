import { notFound, redirect } from 'next/navigation';
import { PageHeader } from '@/components/shell/page-header';
import { OperationTimeline } from '@/components/deployments/operation-timeline';
import { requirePageContext } from '@/server/auth/session';
import { operation } from '@/server/services/operations';
import { cancelAction } from '../actions';

export const metadata = { title: 'Operation' };

export default async function OperationPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { rt, user } = await requirePageContext(await searchParams, 'viewer');
  const op = operation(rt, (await params).id);
  if (!op) notFound();
  // A link without its environment (or with another) lands on the environment the operation ran on.
  if (op.environmentId !== rt.environment.id) redirect(`/deployments/${op.id}?env=${op.environmentId}`);
  return (
    <>
      <PageHeader title={op.purpose} />
      <OperationTimeline initial={op} canCancel={user.role !== 'viewer'} cancel={cancelAction.bind(null, rt.environment.id)} />
    </>
  );
}
