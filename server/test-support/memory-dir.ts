import path from 'node:path';
import type { FileOps, ProjectDir } from '@/server/project/file-ops';

export type MemoryDir = ProjectDir & { files: Map<string, { data: Buffer; mode: number }> };

/**
 * A deployment directory held in a Map, for unit tests of code that reads or writes project files
 * through FileOps: what a remote environment's directory looks like to it (no node:fs behind it).
 * `files` maps paths relative to `dir` to their text (mode 0600).
 */
export function memoryDir(dir: string, files: Record<string, string> = {}): MemoryDir {
  const map = new Map(Object.entries(files).map(([rel, text]) => [path.join(dir, rel), { data: Buffer.from(text), mode: 0o600 }]));
  const fs: FileOps = {
    readFile: async (f) => map.get(f)?.data ?? null,
    async createFile(f, data, mode) {
      if (map.has(f)) throw Object.assign(new Error(`EEXIST: ${f}`), { code: 'EEXIST' });
      map.set(f, { data: Buffer.from(data), mode });
    },
    async rename(from, to) {
      const entry = map.get(from);
      if (!entry) throw Object.assign(new Error(`ENOENT: ${from}`), { code: 'ENOENT' });
      map.delete(from);
      map.set(to, entry);
    },
    remove: async (f) => void map.delete(f),
    mkdirp: async () => {},
    list: async (d) => [...map.keys()].filter((f) => path.dirname(f) === d).map((f) => path.basename(f)),
    mode: async (f) => map.get(f)?.mode ?? null,
    syncDir: async () => {},
  };
  return { dir, fs, files: map };
}
