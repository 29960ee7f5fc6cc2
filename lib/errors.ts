// Domain errors carry a stable code so actions and routes can map them to messages and statuses
// without parsing message text.
export class CodedError extends Error {
  constructor(
    public code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
