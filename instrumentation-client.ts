import { z } from 'zod';

// Runs in the browser before any page code. Zod compiles object parsers with `new Function` when
// it can, and probes for that by calling Function("") once: under our CSP (no 'unsafe-eval') the
// probe fails harmlessly but is reported as a violation. Telling zod up front skips the probe.
z.config({ jitless: true });
