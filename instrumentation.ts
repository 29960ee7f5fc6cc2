export async function register() {
  // Bootstrap touches node:fs and SQLite, which exist only in the Node.js runtime.
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { bootstrap } = await import('./server/bootstrap');
    bootstrap();
  }
}
