/**
 * capabilities: `.Capabilities` for rendering, read from the live cluster's discovery: the server
 * version and every served group/version and group/version/Kind, as Helm's install action does.
 */
import type { KubeClient } from '../apply/kubeclient.js';

export interface ClusterCapabilities {
  kubeVersion: string;
  apiVersions: string[];
}

/** discoverCapabilities asks the API server for its version and served APIs. */
export async function discoverCapabilities(client: KubeClient): Promise<ClusterCapabilities> {
  const version = await client.request<{ gitVersion: string }>('GET', '/version');
  const apiVersions = new Set<string>();
  const core = await client.request<{ versions: string[] }>('GET', '/api');
  const groups = await client.request<{ groups: { versions: { groupVersion: string }[] }[] }>('GET', '/apis');
  const gvs = [...core.versions, ...groups.groups.flatMap((g) => g.versions.map((v) => v.groupVersion))];
  await Promise.all(
    gvs.map(async (gv) => {
      apiVersions.add(gv);
      const path = gv.includes('/') ? `/apis/${gv}` : `/api/${gv}`;
      try {
        const r = await client.request<{ resources: { name: string; kind: string }[] }>('GET', path);
        for (const res of r.resources) if (!res.name.includes('/')) apiVersions.add(`${gv}/${res.kind}`);
      } catch {
        // An aggregated API that is down must not block rendering; Helm skips it too.
      }
    }),
  );
  return { kubeVersion: version.gitVersion, apiVersions: [...apiVersions].sort() };
}
