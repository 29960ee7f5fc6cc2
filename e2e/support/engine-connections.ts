import fs from 'node:fs';
import { runCommand } from '../fixtures/run-command';

/** Inodes of the unix sockets a process holds open. */
function socketInodes(pid: number): Set<string> {
  const out = new Set<string>();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) out.add(m[1]!);
    } catch {
      // fd closed while we looked
    }
  }
  return out;
}

/**
 * Connections the Docker Engine holds open to this process, counted on the engine's side of the
 * socket (`ss` lists dockerd's end of each connection with its peer's inode). A log stream that
 * was not closed shows up here for as long as the engine keeps it.
 */
export async function engineConnectionsFrom(pid: number): Promise<number> {
  const { stdout } = await runCommand('ss', ['-x', '-p', '-H', 'state', 'connected']);
  const mine = socketInodes(pid);
  let count = 0;
  for (const line of stdout.split('\n')) {
    if (!line.includes('/var/run/docker.sock') || !line.includes('"dockerd"')) continue;
    const cols = line.trim().split(/\s+/);
    // Netid State Recv-Q Send-Q LocalPath LocalInode PeerPath PeerInode Process
    const peerInode = cols[7];
    if (peerInode && mine.has(peerInode)) count++;
  }
  return count;
}
