/**
 * deploy-kustomize: the install manifests in deploy/ render with kubectl's built-in kustomize, the
 * API server accepts them (server-side dry run, with Pod Security "restricted" warnings treated as
 * failures), and the controller's pod runs hardened: non-root, read-only root filesystem, no
 * privilege escalation, no capabilities, RuntimeDefault seccomp, probes on :8080.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { testCluster, type TestCluster } from './support/env.js';

const root = join(import.meta.dirname, '..');
const CRD_KUSTOMIZATION =
  'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - helmreleases.helm.capstan.dev.yaml\n';
const IMAGE = 'ghcr.io/capstan-dev/capstan:0.1.0';

let cluster: TestCluster;
let tree: string;

/** kubectl runs kubectl against the test cluster and returns stdout and stderr (warnings). */
function kubectl(args: string[], input?: string): { stdout: string; stderr: string } {
  const r = spawnSync(join(cluster.binDir, 'kubectl'), [`--kubeconfig=${cluster.kubeconfigPath}`, ...args], {
    encoding: 'utf8',
    input,
  });
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr.trim()}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

type Obj = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [k: string]: any;
};

/** render runs `kubectl kustomize` on a directory of the staged tree and parses every object. */
function render(dir: string): Obj[] {
  const out = kubectl(['kustomize', join(tree, dir)]).stdout;
  return parseAllDocuments(out)
    .map((d) => d.toJS() as Obj)
    .filter(Boolean);
}

const find = (objs: Obj[], kind: string, name?: string) =>
  objs.filter((o) => o.kind === kind && (!name || o.metadata.name === name));
const one = (objs: Obj[], kind: string, name?: string) => {
  const found = find(objs, kind, name);
  assert.equal(found.length, 1, `exactly one ${kind}${name ? ` ${name}` : ''}`);
  return found[0];
};
const ids = (objs: Obj[]) =>
  objs.map((o) => `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`).sort();

/** controllerFlags are the flags `capstan controller --help` lists. */
function controllerFlags(): Set<string> {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'controller', '--help'], {
    encoding: 'utf8',
    cwd: root,
  });
  assert.equal(r.status, 0, r.stderr);
  return new Set([...r.stdout.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]));
}

before(async () => {
  cluster = await testCluster();
  // Stage deploy/ and crds/ side by side, as in the repository. crds/Kustomization is what
  // deploy/ includes; until the repository has it, the stage adds it (and the first test fails).
  tree = mkdtempSync(join(tmpdir(), 'capstan-deploy-'));
  cpSync(join(root, 'deploy'), join(tree, 'deploy'), { recursive: true });
  cpSync(join(root, 'crds'), join(tree, 'crds'), { recursive: true });
  if (!existsSync(join(tree, 'crds', 'Kustomization')))
    writeFileSync(join(tree, 'crds', 'Kustomization'), CRD_KUSTOMIZATION);
});
after(() => {
  if (tree) rmSync(tree, { recursive: true, force: true });
});

describe('deploy/ kustomization', () => {
  it('takes the CRD from crds/ (its only copy) through crds/Kustomization, which kubectl apply -f crds/ skips', () => {
    assert.ok(
      existsSync(join(root, 'crds', 'Kustomization')),
      'crds/Kustomization is missing: deploy/kustomization.yaml includes ../crds, which needs a Kustomization file listing helmreleases.helm.capstan.dev.yaml',
    );
    const crd = parseAllDocuments(
      readFileSync(join(root, 'crds', 'helmreleases.helm.capstan.dev.yaml'), 'utf8'),
    )[0].toJS();
    const rendered = one(render('deploy'), 'CustomResourceDefinition');
    assert.deepEqual(rendered.spec, crd.spec, 'the rendered CRD is crds/helmreleases.helm.capstan.dev.yaml');
    // kubectl apply -f crds/ reads only *.yaml, *.yml and *.json: the Kustomization file is not an object to apply.
    const applied = kubectl(['apply', '--server-side', '--dry-run=server', '-f', join(root, 'crds')]).stdout;
    assert.match(applied, /helmreleases\.helm\.capstan\.dev/);
  });

  it('renders the base: namespace, CRD, RBAC and the controller, all in capstan-system', () => {
    const objs = render('deploy');
    assert.deepEqual(ids(objs), [
      'ClusterRole/capstan-controller',
      'ClusterRoleBinding/capstan-controller',
      'CustomResourceDefinition/helmreleases.helm.capstan.dev',
      'Deployment/capstan-system/capstan-controller',
      'Namespace/capstan-system',
      'NetworkPolicy/capstan-system/capstan-controller',
      'PodDisruptionBudget/capstan-system/capstan-controller',
      'Role/capstan-system/capstan-leader-election',
      'RoleBinding/capstan-system/capstan-leader-election',
      'Service/capstan-system/capstan-controller-metrics',
      'ServiceAccount/capstan-system/capstan',
    ]);
    const binding = one(objs, 'ClusterRoleBinding');
    assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'capstan', namespace: 'capstan-system' }]);
    assert.equal(one(objs, 'PodDisruptionBudget').spec.minAvailable, 1);
    const svc = one(objs, 'Service');
    assert.deepEqual(
      svc.spec.ports.map((p: any) => [p.name, p.port]),
      [['http-metrics', 8080]],
    );
    const np = one(objs, 'NetworkPolicy');
    assert.deepEqual(np.spec.policyTypes, ['Ingress', 'Egress']);
    assert.deepEqual(
      np.spec.ingress.flatMap((r: any) => r.ports.map((p: any) => p.port)),
      [8080],
      'ingress only to the metrics port',
    );
    const egress = np.spec.egress.flatMap((r: any) => r.ports.map((p: any) => `${p.port}/${p.protocol}`)).sort();
    assert.deepEqual(egress, ['443/TCP', '53/TCP', '53/UDP', '6443/TCP', '80/TCP']);
  });

  it('grants least privilege: no wildcards, impersonation of ServiceAccounts only, Leases only in its namespace', () => {
    const objs = render('deploy');
    const rules = one(objs, 'ClusterRole').rules as {
      apiGroups?: string[];
      resources?: string[];
      verbs: string[];
      nonResourceURLs?: string[];
    }[];
    for (const r of rules) {
      assert.ok(
        !r.verbs.includes('*') && !(r.resources ?? []).includes('*') && !(r.apiGroups ?? []).includes('*'),
        `no wildcard in ${JSON.stringify(r)}`,
      );
    }
    const verbsFor = (group: string, resource: string) =>
      new Set(
        rules.filter((r) => r.apiGroups?.includes(group) && r.resources?.includes(resource)).flatMap((r) => r.verbs),
      );
    assert.deepEqual([...verbsFor('', 'serviceaccounts')], ['impersonate']);
    assert.ok(
      !rules.some((r) => r.verbs.includes('impersonate') && !r.resources?.every((x) => x === 'serviceaccounts')),
      'impersonates ServiceAccounts, not users or groups',
    );
    for (const v of ['get', 'list', 'watch', 'patch'])
      assert.ok(verbsFor('helm.capstan.dev', 'helmreleases').has(v), `helmreleases ${v}`);
    assert.ok(verbsFor('helm.capstan.dev', 'helmreleases/status').has('patch'));
    assert.ok(verbsFor('helm.capstan.dev', 'helmreleases/finalizers').has('update'));
    assert.deepEqual([...verbsFor('', 'configmaps')].sort(), ['get', 'list', 'watch']);
    assert.deepEqual([...verbsFor('', 'events')].sort(), ['create', 'patch']);
    assert.deepEqual([...verbsFor('', 'namespaces')].sort(), ['create', 'get']);
    assert.equal(verbsFor('coordination.k8s.io', 'leases').size, 0, 'Leases are not granted cluster-wide');
    for (const kind of ['deployments', 'services', 'pods']) {
      assert.equal(
        rules.some((r) => r.resources?.includes(kind)),
        false,
        `tenant mode does not write ${kind} itself`,
      );
    }
    const leader = one(objs, 'Role', 'capstan-leader-election');
    assert.equal(leader.metadata.namespace, 'capstan-system');
    assert.ok(
      leader.rules.some(
        (r: any) =>
          r.apiGroups.includes('coordination.k8s.io') && r.resources.includes('leases') && r.verbs.includes('update'),
      ),
    );
  });

  it('runs the controller hardened, with leader election, probes on :8080 and writable volumes for the cache and /tmp', () => {
    const flags = controllerFlags();
    for (const dir of ['deploy', 'deploy/cluster-admin', 'deploy/namespaced']) {
      const d = one(render(dir), 'Deployment');
      assert.equal(d.spec.replicas, 2, dir);
      const pod = d.spec.template.spec;
      assert.equal(pod.serviceAccountName, 'capstan');
      assert.equal(pod.securityContext.runAsNonRoot, true, `${dir}: pod runAsNonRoot`);
      assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault', `${dir}: pod seccomp`);
      assert.ok(pod.terminationGracePeriodSeconds > 30, 'grace period exceeds --graceful-shutdown-timeout');
      assert.equal(pod.containers.length, 1);
      const c = pod.containers[0];
      assert.equal(c.image, IMAGE);
      const sc = c.securityContext;
      assert.equal(sc.runAsNonRoot, true, `${dir}: runAsNonRoot`);
      assert.ok(sc.runAsUser > 0, `${dir}: numeric non-root uid`);
      assert.equal(sc.readOnlyRootFilesystem, true, `${dir}: readOnlyRootFilesystem`);
      assert.equal(sc.allowPrivilegeEscalation, false, `${dir}: allowPrivilegeEscalation`);
      assert.deepEqual(sc.capabilities, { drop: ['ALL'] }, `${dir}: capabilities`);
      assert.equal(sc.seccompProfile.type, 'RuntimeDefault', `${dir}: seccomp`);
      // The image's ENTRYPOINT is `node dist/cli/main.js`; args start with the command.
      assert.equal(c.args[0], 'controller');
      assert.ok(c.args.includes('--leader-elect'));
      for (const a of c.args.slice(1)) {
        const name = /^--([a-z-]+)/.exec(a)?.[1];
        assert.ok(name && flags.has(name), `${dir}: ${a} is a flag of capstan controller`);
      }
      const port = c.ports.find((p: any) => p.containerPort === 8080);
      assert.ok(port, 'container port 8080');
      assert.ok(c.args.includes('--metrics-address=:8080'));
      const probePort = (p: any) => (p.httpGet.port === port.name ? 8080 : p.httpGet.port);
      assert.deepEqual([c.livenessProbe.httpGet.path, probePort(c.livenessProbe)], ['/healthz', 8080]);
      assert.deepEqual([c.readinessProbe.httpGet.path, probePort(c.readinessProbe)], ['/readyz', 8080]);
      assert.deepEqual(
        c.env.find((e: any) => e.name === 'POD_NAMESPACE').valueFrom,
        { fieldRef: { fieldPath: 'metadata.namespace' } },
        'POD_NAMESPACE from the downward API',
      );
      assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory, 'resources');
      const cacheDir = c.args.find((a: string) => a.startsWith('--cache-dir='))!.split('=')[1];
      const mounts = new Map(c.volumeMounts.map((m: any) => [m.mountPath, m.name]));
      for (const path of [cacheDir, '/tmp']) {
        const vol = pod.volumes.find((v: any) => v.name === mounts.get(path));
        assert.ok(vol?.emptyDir, `${dir}: ${path} is an emptyDir`);
      }
    }
  });

  it('overlays: cluster-admin adds only the cluster-admin binding; namespaced has no cluster-scoped object and watches its namespace', () => {
    const base = render('deploy');
    const admin = render('deploy/cluster-admin');
    assert.deepEqual(
      ids(admin).filter((id) => !ids(base).includes(id)),
      ['ClusterRoleBinding/capstan-cluster-admin'],
    );
    assert.equal(one(admin, 'ClusterRoleBinding', 'capstan-cluster-admin').roleRef.name, 'cluster-admin');
    const ns = render('deploy/namespaced');
    const clusterScoped = new Set(['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding']);
    assert.deepEqual(
      ns.filter((o) => clusterScoped.has(o.kind)).map((o) => o.kind),
      [],
    );
    assert.ok(ns.every((o) => o.metadata.namespace === 'capstan-system'));
    const role = one(ns, 'Role', 'capstan-controller');
    assert.ok(role.rules.some((r: any) => r.resources.includes('serviceaccounts') && r.verbs.includes('impersonate')));
    assert.ok(role.rules.some((r: any) => r.resources.includes('helmreleases/status')));
    assert.equal(one(ns, 'RoleBinding', 'capstan-controller').roleRef.kind, 'Role');
    const args: string[] = one(ns, 'Deployment').spec.template.spec.containers[0].args;
    assert.ok(args.includes('--namespaces=$(POD_NAMESPACE)'), 'watches only its own namespace');
  });

  describe('server-side dry run against the API server', () => {
    let createdNamespace = false;
    before(() => {
      // Custom resources and namespaced objects need their CRD and namespace to exist for a dry run.
      kubectl(['apply', '--server-side', '--force-conflicts', '-f', join(root, 'crds')]);
      kubectl(['wait', '--for=condition=Established', 'crd/helmreleases.helm.capstan.dev', '--timeout=60s']);
      try {
        kubectl(['get', 'namespace', 'capstan-system']);
      } catch {
        createdNamespace = true;
      }
      // For real, so that its Pod Security labels (enforce and warn: restricted) are in force.
      kubectl(
        ['apply', '--server-side', '--force-conflicts', '-f', '-'],
        JSON.stringify(one(render('deploy'), 'Namespace')),
      );
    });
    after(() => {
      if (createdNamespace) kubectl(['delete', 'namespace', 'capstan-system', '--wait=false']);
    });

    for (const dir of ['deploy', 'deploy/cluster-admin', 'deploy/namespaced']) {
      it(`kubectl apply -k ${dir}/ --server-side --dry-run=server succeeds with no Pod Security warning`, () => {
        const { stdout, stderr } = kubectl([
          'apply',
          '-k',
          join(tree, dir),
          '--server-side',
          '--dry-run=server',
          '--force-conflicts',
        ]);
        const applied = stdout.split('\n').filter((l) => l.includes('serverside-applied (server dry run)'));
        assert.equal(applied.length, render(dir).length, stdout);
        assert.doesNotMatch(stderr, /PodSecurity|would violate/i, stderr);
      });
    }

    it('the API server would reject a container that drops the hardening (the check is live)', () => {
      const d = one(render('deploy'), 'Deployment');
      d.metadata.name = 'capstan-insecure-probe';
      delete d.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation;
      d.spec.template.spec.containers[0].securityContext.capabilities = {};
      const { stderr } = kubectl(['apply', '--server-side', '--dry-run=server', '-f', '-'], JSON.stringify(d));
      assert.match(stderr, /would violate PodSecurity "restricted:latest"/);
    });
  });
});
