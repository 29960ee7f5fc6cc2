// Domain errors carry a stable code so actions and routes can map them to messages and statuses
// without parsing message text.

const CODED = Symbol.for('tale-console.coded-error');

export class CodedError extends Error {
  readonly [CODED] = true;

  constructor(
    public code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  // Next bundles this module more than once: the start-up code's copy builds the runtime's ports
  // (kept on globalThis), a page's copy catches what they throw, and a plain instanceof across the
  // copies is false (the overview of an uninitialised project answered 500). The brand under a
  // global symbol holds in every copy. Subclasses keep the ordinary check.
  static [Symbol.hasInstance](value: unknown): boolean {
    if (this !== CodedError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as { [CODED]?: unknown })[CODED] === true;
  }
}
