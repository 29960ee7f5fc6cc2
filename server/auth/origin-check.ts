// Cross-site request forgery guard for cookie-authenticated route handlers. A browser attaches the
// session cookie to any request it sends to us, including a form or fetch another site makes it
// send; such requests carry that site's Origin (or Sec-Fetch-Site: cross-site). Bearer-token
// requests carry no ambient credentials and need no such check.

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export type OriginInput = {
  method: string;
  origin: string | null;
  secFetchSite: string | null;
  host: string | null;
  /** PUBLIC_URL when set: then it alone says what our origin is. */
  publicUrl: string | undefined;
};

/** Whether an unsafe request comes from the console's own pages; safe methods always pass. */
export function sameOriginRequest(input: OriginInput): boolean {
  if (SAFE_METHODS.has(input.method.toUpperCase())) return true;
  if (input.origin !== null) {
    let origin: URL;
    try {
      origin = new URL(input.origin);
    } catch {
      return false; // includes the opaque origin "null"
    }
    if (input.publicUrl) return origin.origin === new URL(input.publicUrl).origin;
    // Without PUBLIC_URL the scheme is unknown behind a TLS proxy; the host must match exactly.
    return input.host !== null && (origin.protocol === 'http:' || origin.protocol === 'https:') && origin.host === input.host.toLowerCase();
  }
  // Browsers that omit Origin still send Fetch Metadata; tools that send neither are refused.
  return input.secFetchSite === 'same-origin';
}

export type ActionOriginInput = Omit<OriginInput, 'method' | 'secFetchSite'>;

/**
 * Server actions are stricter: a POST must name the console's own origin. Browsers always send
 * Origin on POST, so a missing one means a tool or a forged request, and Fetch Metadata alone is
 * not accepted (it cannot be told apart from a forged header here).
 */
export function sameOriginAction(input: ActionOriginInput): boolean {
  return input.origin !== null && sameOriginRequest({ ...input, method: 'POST', secFetchSite: null });
}
