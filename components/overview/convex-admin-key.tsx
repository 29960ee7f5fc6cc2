'use client';
import { useState, useTransition } from 'react';
import type { ActionResult } from '@/lib/action-result';
import type { ConvexAdminKeyDto } from '@/lib/dto/overview';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';

type Props = { generate: () => Promise<ActionResult<ConvexAdminKeyDto>> };

/** `tale convex admin` in the browser: the key is shown once, here, and kept nowhere else. */
export function ConvexAdminKey({ generate }: Props) {
  const [result, setResult] = useState<ActionResult<ConvexAdminKeyDto> | null>(null);
  const [copied, setCopied] = useState(false);
  const [pending, start] = useTransition();

  return (
    <div className="space-y-2 text-sm" data-testid="convex-admin">
      {!result?.ok && (
        <Button variant="secondary" busy={pending} onClick={() => start(async () => setResult(await generate()))}>
          Generate a Convex admin key
        </Button>
      )}
      {result && !result.ok && (
        <p role="alert" className="text-red-600">
          {result.message}
        </p>
      )}
      {result?.ok && (
        <div className="space-y-2">
          <p className="text-amber-700 dark:text-amber-400">Shown once: copy it now. It gives full read and write access to all data.</p>
          <div className="flex gap-2">
            <Input readOnly value={result.data.key} aria-label="Convex admin key" className="font-mono" onFocus={(e) => e.currentTarget.select()} />
            <Button
              variant="secondary"
              onClick={() => void navigator.clipboard?.writeText(result.data.key).then(() => setCopied(true), () => setCopied(false))}
            >
              {copied ? 'Copied' : 'Copy'}
            </Button>
          </div>
          <p>
            Open{' '}
            <a className="text-indigo-600 underline dark:text-indigo-400" href={result.data.dashboardUrl} target="_blank" rel="noreferrer noopener">
              the Convex dashboard
            </a>{' '}
            with deployment URL <code className="font-mono">{result.data.deploymentUrl}</code> and paste the key.
          </p>
          <Button variant="ghost" onClick={() => (setResult(null), setCopied(false))}>
            Hide the key
          </Button>
        </div>
      )}
    </div>
  );
}
