/**
 * The shared setup of the scale-out tests: a cluster of gateway processes and a load client,
 * started before the enclosing suite's tests (with the cluster start's own time allowance) and
 * closed after them.
 */
import { afterAll, beforeAll } from 'vitest';
import { CLUSTER_HOOK_MS, startCluster, type Cluster, type ClusterOptions } from './cluster.js';
import { loadClient, type LoadClient, type Reply } from './load.js';

export interface ClusterFixture {
  /** Set once the suite's beforeAll has run. */
  readonly cluster: Cluster;
  readonly http: LoadClient;
  /** POSTs every body to `/chat/completions` at once, round-robin over the instances. */
  burst(apiKey: string, bodies: readonly Record<string, unknown>[]): Promise<Reply[]>;
}

/**
 * Registers the beforeAll/afterAll of a suite that runs against a cluster. `options` may be a
 * function, called in the beforeAll, when the config depends on something started first.
 */
export function useCluster(options: ClusterOptions | (() => ClusterOptions)): ClusterFixture {
  let cluster: Cluster | undefined;
  let http: LoadClient | undefined;
  const fixture: ClusterFixture = {
    get cluster() {
      if (!cluster) throw new Error('the cluster is not started yet (use it inside a test or hook)');
      return cluster;
    },
    get http() {
      if (!http) throw new Error('the load client is not started yet (use it inside a test or hook)');
      return http;
    },
    burst(apiKey, bodies) {
      const { instances } = fixture.cluster;
      return Promise.all(bodies.map((body, i) => fixture.http.post(instances[i % instances.length]!.baseURL, apiKey, '/chat/completions', body)));
    },
  };
  beforeAll(async () => {
    cluster = await startCluster(typeof options === 'function' ? options() : options);
    http = loadClient();
  }, CLUSTER_HOOK_MS);
  afterAll(async () => {
    await http?.close();
    await cluster?.close();
    http = undefined;
    cluster = undefined;
  });
  return fixture;
}
