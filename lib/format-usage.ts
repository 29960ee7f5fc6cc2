// Human figures for the overview: memory, CPU and uptime as `docker stats` and `docker ps` say them.

export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export function formatCpu(percent: number | null): string {
  return percent === null ? '—' : `${percent.toFixed(percent >= 10 ? 0 : 1)} %`;
}

/** "3d 4h", "2h 5m", "40s": the two largest units since `startedAt`. */
export function formatUptime(startedAt: string | null, now: Date): string {
  if (!startedAt) return '—';
  let s = Math.max(0, Math.floor((now.getTime() - new Date(startedAt).getTime()) / 1000));
  const parts: [number, string][] = [];
  for (const [size, unit] of [[86_400, 'd'], [3600, 'h'], [60, 'm'], [1, 's']] as const) {
    const n = Math.floor(s / size);
    s -= n * size;
    if (n > 0 || (unit === 's' && parts.length === 0)) parts.push([n, unit]);
  }
  return parts.slice(0, 2).map(([n, u]) => `${n}${u}`).join(' ');
}
