'use client';
import { useState, type FormEvent } from 'react';
import type { PinDto, PinPreviewDto } from '@/lib/dto/settings';
import { Button } from '@/components/ui/button';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { Cell, Table } from '@/components/ui/table';
import { LineDiffView } from './diff-view';
import type { SettingsAction } from './types';
import { ReviewDialog } from './review-dialog';
import { usePreviewSave } from './use-preview-save';

type Props = {
  pins: PinDto[];
  overrideFile: string;
  problem: string | null;
  /** For an operator: each service's pin shown, nothing to pin or unpin. */
  readOnly: boolean;
  actions: { preview: SettingsAction<PinPreviewDto>; save: SettingsAction };
};

export function PinsForm({ pins, overrideFile, problem, readOnly, actions }: Props) {
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const flow = usePreviewSave(actions.preview, actions.save, `${overrideFile} saved. Pending until the next deploy.`);

  if (problem) {
    return (
      <p role="alert" className="text-sm text-red-700 dark:text-red-400">
        {problem}. {readOnly ? 'An admin can fix the file by hand or restore an earlier version' : 'Fix the file by hand or restore an earlier version below'}; the
        console does not edit a file it does not understand.
      </p>
    );
  }

  if (readOnly) {
    return (
      <Table head={['Service', 'Pinned image']}>
        {pins.map((p) => (
          <tr key={p.service}>
            <Cell>{p.service}</Cell>
            <Cell>{p.image ? <span className="font-mono text-xs">{p.image}</span> : 'follows the deployed version'}</Cell>
          </tr>
        ))}
      </Table>
    );
  }

  const pin = (service: string) => (e: FormEvent) => {
    e.preventDefault();
    flow.review({ service, image: drafts[service] ?? '' });
  };

  return (
    <>
      <Table head={['Service', 'Pinned image', '']}>
        {pins.map((p) => (
          <tr key={p.service}>
            <Cell>{p.service}</Cell>
            <Cell>
              <form id={`pin-${p.service}`} onSubmit={pin(p.service)} aria-label={`Pin ${p.service}`}>
                <FormField id={`pin-image-${p.service}`} label={`Image for ${p.service}`} errors={flow.shown ? undefined : flow.errors.image}>
                  <Input
                    name="image"
                    placeholder={p.image ?? 'follows the deployed version'}
                    value={drafts[p.service] ?? ''}
                    onChange={(e) => setDrafts((d) => ({ ...d, [p.service]: e.target.value }))}
                  />
                </FormField>
              </form>
              {p.image && <p className="mt-1 font-mono text-xs">{p.image}</p>}
            </Cell>
            <Cell>
              <div className="flex gap-2">
                <Button type="submit" form={`pin-${p.service}`} variant="secondary" disabled={flow.busy}>
                  Pin
                </Button>
                {p.image && (
                  <Button type="button" variant="ghost" disabled={flow.busy} onClick={() => flow.review({ service: p.service, image: null })}>
                    Unpin
                  </Button>
                )}
              </div>
            </Cell>
          </tr>
        ))}
      </Table>
      <ReviewDialog flow={flow} title={`Save ${overrideFile}?`}>
        {flow.shown && (
          <>
            <p className="mb-2">{flow.shown.preview.effect}</p>
            <LineDiffView diff={flow.shown.preview.diff} />
          </>
        )}
      </ReviewDialog>
    </>
  );
}
