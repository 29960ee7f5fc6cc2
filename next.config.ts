import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  output: 'standalone',
  // Native and socket-heavy packages must stay out of the bundle.
  serverExternalPackages: ['dockerode', 'ssh2', 'better-sqlite3', '@node-rs/argon2'],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
