/**
 * A real Redis Cluster of the test's own: `masters` redis-server processes with
 * `--cluster-enabled yes` on free local ports (and free cluster-bus ports), joined by
 * `redis-cli --cluster create … --cluster-replicas 0`, ready once every node reports
 * `cluster_state:ok`. Nothing is persisted; `stop()` kills the nodes and removes their files.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { currentScope, execFileChild, type Until } from './children.js';
import { freePort, launch } from './redis-server.js';

export interface OwnRedisCluster {
  /** `redis://127.0.0.1:port` of each master, the gateway's `redis.cluster_nodes`. */
  readonly nodes: string[];
  /** TOLLGATE_REDIS_CLUSTER_NODES for a gateway process. */
  readonly env: Record<string, string>;
  /** SIGSTOP every node: connections stay open and nothing answers (a stall). */
  pause(): void;
  /** kill -9 every node, then start each again on its ports: the same slots, no data. */
  crashAndRestart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Its nodes are killed at the end of the test or file it was started in (support/children.ts), if
 * not stopped before; `until: 'file'` keeps one started in a test for the file's later tests.
 */
export async function startRedisCluster(masters = 3, { until = currentScope() }: { until?: Until } = {}): Promise<OwnRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'tg-redis-cluster-'));
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  const args: string[][] = [];
  const kill = () =>
    Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGCONT');
            c.kill('SIGKILL');
          }),
      ),
    );
  const stop = async () => {
    await kill();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      const busPort = await freePort();
      ports.push(port);
      // The node's view of the cluster (its slots) lives in nodes-<port>.conf, so a restarted
      // node rejoins with the same slots.
      args.push(['--cluster-enabled', 'yes', '--cluster-port', String(busPort), '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--dir', dir, '--cluster-node-timeout', '5000']);
      children.push(await launch(port, args[i]!, until));
    }
    await execFileChild('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000, until });
    await waitClusterOk(ports);
  } catch (e) {
    await stop();
    throw e;
  }
  const nodes = ports.map((p) => `redis://127.0.0.1:${p}`);
  return {
    nodes,
    env: { TOLLGATE_REDIS_CLUSTER_NODES: nodes.join(',') },
    pause: () => children.forEach((c) => c.kill('SIGSTOP')),
    async crashAndRestart() {
      await kill();
      for (let i = 0; i < ports.length; i++) children[i] = await launch(ports[i]!, args[i]!, until);
      await waitClusterOk(ports);
    },
    stop,
  };
}

/** Every node agrees the cluster is up (all 16384 slots assigned and the nodes see each other). */
async function waitClusterOk(ports: number[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (const port of ports) {
    const c = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 });
    await c.connect();
    try {
      for (;;) {
        const info = String(await c.call('CLUSTER', 'INFO'));
        if (/cluster_state:ok/.test(info) && /cluster_known_nodes:(\d+)/.exec(info)?.[1] === String(ports.length)) break;
        if (Date.now() > deadline) throw new Error(`redis cluster on ${ports.join(',')} not ok:\n${info}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      c.disconnect();
    }
  }
}
