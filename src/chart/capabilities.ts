/**
 * capabilities: `.Capabilities` as Helm 4.1.4 builds it for `helm template` — the default kube
 * version (v1.35.0, the client library Helm 4.1.4 was built with), the default API version set
 * (client-go's scheme, captured from helm itself) plus `--api-versions`, and HelmVersion.
 */
import { withGoType } from '../gotemplate/funcs/sprig/util.js';
import { GO_METHODS, GoStruct, goFunc, type GoFunc } from '../gotemplate/value.js';

/** HELM_VERSION is the Helm build we reproduce (`helm version` of the oracle). */
export const HELM_VERSION = {
  version: 'v4.1.4',
  gitCommit: '05fa37973dc9e42b76e1d2883494c87174b6074f',
  gitTreeState: 'clean',
  goVersion: 'go1.25.9',
  kubeClientVersion: 'v1.35',
} as const;

/** DEFAULT_KUBE_VERSION is `.Capabilities.KubeVersion` when no --kube-version is given. */
export const DEFAULT_KUBE_VERSION = 'v1.35.0';

/** DEFAULT_API_VERSIONS is Helm 4.1.4's default `.Capabilities.APIVersions`, in Helm's order. */
export const DEFAULT_API_VERSIONS: readonly string[] = [
  'v1',
  'admissionregistration.k8s.io/v1',
  'admissionregistration.k8s.io/v1alpha1',
  'admissionregistration.k8s.io/v1beta1',
  'internal.apiserver.k8s.io/v1alpha1',
  'apps/v1',
  'apps/v1beta1',
  'apps/v1beta2',
  'authentication.k8s.io/v1',
  'authentication.k8s.io/v1alpha1',
  'authentication.k8s.io/v1beta1',
  'authorization.k8s.io/v1',
  'authorization.k8s.io/v1beta1',
  'autoscaling/v1',
  'autoscaling/v2',
  'autoscaling/v2beta1',
  'autoscaling/v2beta2',
  'batch/v1',
  'batch/v1beta1',
  'certificates.k8s.io/v1',
  'certificates.k8s.io/v1beta1',
  'certificates.k8s.io/v1alpha1',
  'coordination.k8s.io/v1alpha2',
  'coordination.k8s.io/v1beta1',
  'coordination.k8s.io/v1',
  'discovery.k8s.io/v1',
  'discovery.k8s.io/v1beta1',
  'events.k8s.io/v1',
  'events.k8s.io/v1beta1',
  'extensions/v1beta1',
  'flowcontrol.apiserver.k8s.io/v1',
  'flowcontrol.apiserver.k8s.io/v1beta1',
  'flowcontrol.apiserver.k8s.io/v1beta2',
  'flowcontrol.apiserver.k8s.io/v1beta3',
  'networking.k8s.io/v1',
  'networking.k8s.io/v1beta1',
  'node.k8s.io/v1',
  'node.k8s.io/v1alpha1',
  'node.k8s.io/v1beta1',
  'policy/v1',
  'policy/v1beta1',
  'rbac.authorization.k8s.io/v1',
  'rbac.authorization.k8s.io/v1beta1',
  'rbac.authorization.k8s.io/v1alpha1',
  'resource.k8s.io/v1',
  'resource.k8s.io/v1beta2',
  'resource.k8s.io/v1beta1',
  'resource.k8s.io/v1alpha3',
  'scheduling.k8s.io/v1alpha1',
  'scheduling.k8s.io/v1beta1',
  'scheduling.k8s.io/v1',
  'storage.k8s.io/v1beta1',
  'storage.k8s.io/v1',
  'storage.k8s.io/v1alpha1',
  'storagemigration.k8s.io/v1beta1',
  'apiextensions.k8s.io/v1beta1',
  'apiextensions.k8s.io/v1',
];

/** KubeVersionError is an unparsable --kube-version. */
export class KubeVersionError extends Error {
  constructor(
    readonly input: string,
    options?: { cause?: unknown },
  ) {
    super(`invalid kube version '${input}': could not parse "${input}" as version`, options);
    this.name = 'KubeVersionError';
  }
}

/** KubeVersion is common.KubeVersion. */
export interface KubeVersion {
  version: string;
  normalizedVersion: string;
  major: string;
  minor: string;
}

/**
 * parseKubeVersion is common.ParseKubeVersion: `1.31`, `v1.31.0`, `1.33.4-gke.1` are accepted;
 * Version keeps the input with a `v` prefix; String() drops pre-release and build parts.
 */
export function parseKubeVersion(input: string): KubeVersion {
  const m = /^\s*v?([0-9]+)\.([0-9]+)((?:\.[0-9]+)*)([-+][0-9A-Za-z.+-]*)?\s*$/.exec(input);
  if (!m) throw new KubeVersionError(input);
  const strip = (s: string) => String(Number(s));
  const version = input.startsWith('v') ? input : 'v' + input;
  return {
    version,
    normalizedVersion: `v${m[1]}.${m[2]}${m[3]}`,
    major: strip(m[1]),
    minor: strip(m[2]),
  };
}

/** CapabilitiesOptions are what `helm template` lets the user set. */
export interface CapabilitiesOptions {
  /** kubeVersion like `1.31.0` or `v1.31.0`; default {@link DEFAULT_KUBE_VERSION}. */
  kubeVersion?: string;
  /** apiVersions are added to the defaults (`--api-versions`), or replace them (see `fromCluster`). */
  apiVersions?: readonly string[];
  /**
   * fromCluster: apiVersions is the complete set discovered from a live cluster (what `helm
   * install` uses), so Helm's client-only defaults are not added.
   */
  fromCluster?: boolean;
}

/** Capabilities is the resolved form (plain data) used by rendering and chart kubeVersion checks. */
export interface Capabilities {
  kubeVersion: KubeVersion;
  apiVersions: string[];
}

export function resolveCapabilities(opts: CapabilitiesOptions = {}): Capabilities {
  return {
    kubeVersion: parseKubeVersion(opts.kubeVersion ?? DEFAULT_KUBE_VERSION),
    apiVersions: opts.fromCluster ? [...(opts.apiVersions ?? [])] : [...DEFAULT_API_VERSIONS, ...(opts.apiVersions ?? [])],
  };
}

/** capabilitiesValue builds the Go value `.Capabilities` (a *common.Capabilities). */
export function capabilitiesValue(caps: Capabilities): GoStruct {
  const kv = caps.kubeVersion;
  const kubeMethods: Record<string, GoFunc> = {
    String: goFunc(() => kv.normalizedVersion, []),
    GitVersion: goFunc(() => kv.version, []),
  };
  const kube = new GoStruct(
    'common.KubeVersion',
    { Version: kv.version, normalizedVersion: kv.normalizedVersion, Major: kv.major, Minor: kv.minor },
    kubeMethods,
  );
  const apis: string[] = [...caps.apiVersions];
  Object.defineProperty(apis, GO_METHODS, {
    value: { Has: goFunc((v: string) => apis.includes(v), ['string']) } satisfies Record<string, GoFunc>,
    enumerable: false,
  });
  withGoType(apis, 'common.VersionSet');
  const helm = new GoStruct('common.BuildInfo', {
    Version: HELM_VERSION.version,
    GitCommit: HELM_VERSION.gitCommit,
    GitTreeState: HELM_VERSION.gitTreeState,
    GoVersion: HELM_VERSION.goVersion,
    KubeClientVersion: HELM_VERSION.kubeClientVersion,
  });
  return new GoStruct('*common.Capabilities', { KubeVersion: kube, APIVersions: apis, HelmVersion: helm });
}
