import type { PlanPreviewDto } from '@/lib/dto/operations';

/** The dry-run plan as the dialog shows it before confirming. */
export function PlanReview({ plan }: { plan: PlanPreviewDto }) {
  const what =
    plan.kind === 'update'
      ? `Update in place in the live ${plan.targetColor} colour, version ${plan.version}.`
      : `${plan.kind === 'rollback' ? 'Roll back' : 'Deploy'} version ${plan.version} to ${plan.targetColor}${plan.activeColor ? ` (live: ${plan.activeColor}, ${plan.liveVersion ?? 'unknown'})` : ''}. The live colour keeps serving until the new one is healthy.`;
  return (
    <div className="space-y-2" data-testid="plan-review">
      <p>{what}</p>
      {plan.proxyRestartSeconds !== null && (
        <p role="alert" data-testid="proxy-restart-warning" className="font-medium text-red-700 dark:text-red-400">
          The site is unreachable for about {plan.proxyRestartSeconds} {plan.proxyRestartSeconds === 1 ? 'second' : 'seconds'} while the proxy restarts.
        </p>
      )}
      {plan.warnings.map((w) => (
        <p key={w} className="text-amber-700 dark:text-amber-400">
          {w}
        </p>
      ))}
      {/* It scrolls when the plan is long: focusable, so keyboard users can scroll it too. */}
      <ol tabIndex={0} aria-label="Steps of the plan" className="max-h-60 list-decimal overflow-auto rounded-md bg-zinc-100 py-2 pl-8 pr-2 font-mono text-xs dark:bg-zinc-950">
        {plan.steps.map((s, i) => (
          <li key={i}>{s}</li>
        ))}
      </ol>
    </div>
  );
}
