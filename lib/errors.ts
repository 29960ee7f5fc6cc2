// Domain errors carry a stable code so actions and routes can map them to messages and statuses
// without parsing message text.

const BRANDS = Symbol.for('tale-console.error-brands');

/**
 * `instanceof` by brand, not by class object. Next loads a module once per bundle, and the one
 * Runtime (server/runtime.ts) is built by whichever bundle asks first: an error its adapters throw
 * comes from another copy of these classes than the service or operation that catches it, and a
 * plain `instanceof` would call a "project not found" an unexpected crash. Each class names its
 * brand (minified class names differ between bundles); a subclass without a brand of its own falls
 * back to the ordinary prototype check.
 */
export class CodedError extends Error {
  static readonly brand: string = 'CodedError';

  constructor(
    public code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
    const brands: string[] = [];
    for (let c: unknown = new.target; typeof c === 'function' && c !== Error; c = Object.getPrototypeOf(c)) {
      if (Object.hasOwn(c, 'brand')) brands.push((c as typeof CodedError).brand);
    }
    Object.defineProperty(this, BRANDS, { value: brands });
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    if (!Object.hasOwn(this, 'brand')) return Function.prototype[Symbol.hasInstance].call(this, value);
    const brands = typeof value === 'object' && value !== null ? (value as { [BRANDS]?: unknown })[BRANDS] : undefined;
    return Array.isArray(brands) && brands.includes(this.brand);
  }
}
