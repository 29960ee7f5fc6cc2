import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { docker as dockerCli } from '../fixtures/run-command';
import { GOOD_VERSION, localImage } from '../fixtures/versions';

// What "every row and every file is back byte for byte" is measured with (issue #17), shared by the
// backup-restore integration test and the Backups browser spec: known rows in every bundled
// database and known files in every state volume, written from the test side; the exact content of
// each table (as COPY writes it, in key order) and of each volume (every entry's path, type, mode,
// owner and size, every file's SHA-256), read the same way before and after; and the changes and
// deletions a restore must undo. Only the Docker CLI is used, never the console.

export const DATABASES = ['tale', 'tale_knowledge', 'tale_platform'] as const;
export const VOLUMES = ['convex-data', 'rag-data', 'crawler-data', 'caddy-data'] as const;
/** The db image has find, sha256sum, cp and chown: it reads and writes the volumes as root. */
const HELPER_IMAGE = localImage('db', GOOD_VERSION);

export type Content = { dbs: Record<string, Record<string, string>>; vols: Record<string, string[]> };

/** psql in the project's db container, as the Tale user, stopping at the first error. */
export async function psqlIn(projectId: string, database: string, sql: string): Promise<string> {
  return (await dockerCli(['exec', `${projectId}-db`, 'psql', '--no-psqlrc', '-v', 'ON_ERROR_STOP=1', '-U', 'tale', '-d', database, '-At', '-c', sql])).stdout;
}

/** Every user table of a database with its exact content, as COPY writes it, in key order. */
export async function databaseContent(projectId: string, database: string): Promise<Record<string, string>> {
  const tables = (await psqlIn(projectId, database, "SELECT schemaname || '.' || tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"))
    .split('\n')
    .filter(Boolean);
  const out: Record<string, string> = {};
  for (const t of tables) {
    const { stdout } = await dockerCli(['exec', `${projectId}-db`, 'psql', '--no-psqlrc', '-U', 'tale', '-d', database, '-c', `COPY (SELECT * FROM ${t} ORDER BY 1) TO STDOUT`]);
    out[t] = stdout;
  }
  return out;
}

/** Runs a throwaway container of the db image on one of the project's volumes (as root). */
export function onVolume(projectId: string, volume: string, entrypoint: string, args: string[], opts: { readOnly?: boolean; mounts?: string[] } = {}) {
  const mounts = (opts.mounts ?? []).flatMap((m) => ['-v', m]);
  return dockerCli(['run', '--rm', '--network', 'none', '--user', '0:0', '--entrypoint', entrypoint, ...mounts, '-v', `${projectId}_${volume}:/v${opts.readOnly ? ':ro' : ''}`, HELPER_IMAGE, ...args]);
}

/** Every entry of a volume: path, type, mode, owner, size, and the SHA-256 of each file. */
export async function volumeContent(projectId: string, volume: string): Promise<string[]> {
  const entries = (await onVolume(projectId, volume, 'find', ['/v', '-mindepth', '1', '-printf', '%P %y %m %U:%G %s\n'], { readOnly: true })).stdout.split('\n').filter(Boolean);
  const sums = (await onVolume(projectId, volume, 'find', ['/v', '-type', 'f', '-exec', 'sha256sum', '{}', '+'], { readOnly: true })).stdout.split('\n').filter(Boolean);
  return [...entries, ...sums].sort();
}

export async function allContent(projectId: string): Promise<Content> {
  const dbs: Record<string, Record<string, string>> = {};
  for (const d of DATABASES) dbs[d] = await databaseContent(projectId, d);
  const vols: Record<string, string[]> = {};
  for (const v of VOLUMES) vols[v] = await volumeContent(projectId, v);
  return { dbs, vols };
}

/** The content reduced to one SHA-256 per table and per volume (what a report prints and compares). */
export function contentDigests(content: Content): Record<string, string> {
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  const out: Record<string, string> = {};
  for (const [d, tables] of Object.entries(content.dbs)) for (const [t, rows] of Object.entries(tables)) out[`${d}:${t}`] = sha(rows);
  for (const [v, entries] of Object.entries(content.vols)) out[`volume:${v}`] = sha(entries.join('\n'));
  return out;
}

/**
 * Known rows in every database (text that looks like SQL, tabs, newlines, bytes, JSON, vectors)
 * and known files in every state volume (random bytes, a nested tree, an owner and a mode of their
 * own), under `tag` so that two callers on one deployment do not collide. `scratch`: a directory
 * of the test's own for the seed files.
 */
export async function seedKnownContent(projectId: string, scratch: string, opts: { tag: string; rows: number; bulkRows: number }): Promise<void> {
  const { tag, rows, bulkRows } = opts;
  for (const d of DATABASES) {
    await psqlIn(projectId, d, `CREATE TABLE public.${tag}_rows (id int PRIMARY KEY, body text, blob bytea, doc jsonb);
      INSERT INTO public.${tag}_rows SELECT g, 'row ' || g || E' in ${d};\\tDROP TABLE x;\\nnext line', decode(md5(g::text || '${d}'), 'hex'), jsonb_build_object('g', g, 'db', '${d}') FROM generate_series(1, ${rows}) g;`);
  }
  await psqlIn(projectId, 'tale_knowledge', `CREATE TABLE private_knowledge.${tag}_chunks (id serial PRIMARY KEY, content text, embedding vector(3));
    INSERT INTO private_knowledge.${tag}_chunks (content, embedding) SELECT 'chunk ' || g, ARRAY[g, g * 0.5, -g]::vector FROM generate_series(1, 300) g;
    CREATE TABLE public_web.${tag}_websites (url text PRIMARY KEY); INSERT INTO public_web.${tag}_websites VALUES ('https://example.com/'), ('https://example.org/');`);
  await psqlIn(projectId, 'tale_platform', `CREATE TABLE public.${tag}_documents (id bigint PRIMARY KEY, body jsonb NOT NULL);
    INSERT INTO public.${tag}_documents SELECT g, jsonb_build_object('n', g, 'text', repeat('x', g % 97)) FROM generate_series(1, 1200) g;
    CREATE TABLE public.${tag}_bulk (id int PRIMARY KEY, payload text);
    INSERT INTO public.${tag}_bulk SELECT g, repeat(md5(g::text), 32) FROM generate_series(1, ${bulkRows}) g;`);

  const seed = path.join(scratch, `${tag}-seed`);
  fs.mkdirSync(path.join(seed, 'nested', 'deep'), { recursive: true });
  fs.writeFileSync(path.join(seed, 'known.bin'), randomBytes(300_000));
  fs.writeFileSync(path.join(seed, 'nested', 'deep', 'note.txt'), 'a note\n');
  fs.writeFileSync(path.join(seed, 'private.key'), randomBytes(64), { mode: 0o640 });
  for (const v of VOLUMES) {
    await onVolume(projectId, v, 'cp', ['-a', '/seed/.', `/v/${tag}-${v}-files`], { mounts: [`${seed}:/seed:ro`] });
    await onVolume(projectId, v, 'chown', ['-R', '1234:2345', `/v/${tag}-${v}-files/private.key`]);
  }
}

/** Changes, deletions and additions in every database and every volume, all of which a restore must undo. */
export async function changeKnownContent(projectId: string, tag: string): Promise<void> {
  for (const d of DATABASES) {
    await psqlIn(projectId, d, `UPDATE public.${tag}_rows SET body = 'changed' WHERE id <= 10; DELETE FROM public.${tag}_rows WHERE id > 700; CREATE TABLE public.${tag}_after_backup (x int); INSERT INTO public.${tag}_after_backup VALUES (1);`);
  }
  await psqlIn(projectId, 'tale_knowledge', `DROP TABLE private_knowledge.${tag}_chunks`);
  await psqlIn(projectId, 'tale_platform', `TRUNCATE public.${tag}_documents`);
  for (const v of VOLUMES) {
    await onVolume(projectId, v, 'rm', ['-rf', `/v/${tag}-${v}-files/nested`, `/v/${tag}-${v}-files/known.bin`]);
    await onVolume(projectId, v, 'touch', [`/v/${tag}-${v}-files/added-after-backup`]);
  }
}
