import type { ReactNode } from 'react';
import { Button } from './button';

type Props = {
  onCancel: () => void;
  /** Runs the confirmation; without it the confirm button submits the form around it. */
  onConfirm?: () => void;
  busy?: boolean;
  disabled?: boolean;
  variant?: 'primary' | 'danger';
  cancelLabel?: string;
  /** The confirm button's label. */
  children: ReactNode;
};

/** The row at the foot of a dialog: Cancel, then the button that does what the dialog asks. */
export function CancelConfirmButtons({ onCancel, onConfirm, busy = false, disabled, variant = 'primary', cancelLabel = 'Cancel', children }: Props) {
  return (
    <div className="flex justify-end gap-2">
      <Button type="button" variant="secondary" onClick={onCancel}>
        {cancelLabel}
      </Button>
      <Button type={onConfirm ? 'button' : 'submit'} variant={variant} busy={busy} disabled={disabled} onClick={onConfirm}>
        {children}
      </Button>
    </div>
  );
}
