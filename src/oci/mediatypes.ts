/**
 * mediatypes: the media types of OCI manifests and of the artifacts Capstan pulls (Helm charts and
 * Helm 4 plugins), and the descriptor/manifest shapes we read.
 */

export const MEDIA_TYPE_OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MEDIA_TYPE_OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const MEDIA_TYPE_DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const MEDIA_TYPE_DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const MEDIA_TYPE_OCI_EMPTY = 'application/vnd.oci.empty.v1+json';

/** Helm chart artifacts, as `helm push` writes them. */
export const MEDIA_TYPE_HELM_CONFIG = 'application/vnd.cncf.helm.config.v1+json';
export const MEDIA_TYPE_HELM_CHART = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';
/** MEDIA_TYPE_HELM_CHART_LEGACY: the chart layer type of charts pushed by Helm before 3.8. */
export const MEDIA_TYPE_HELM_CHART_LEGACY = 'application/tar+gzip';
export const MEDIA_TYPE_HELM_PROVENANCE = 'application/vnd.cncf.helm.chart.provenance.v1.prov';

/** Helm 4 plugin artifacts: artifactType on the manifest, the plugin archive as a `NAME-VERSION.tgz` layer. */
export const ARTIFACT_TYPE_HELM_PLUGIN = 'application/vnd.helm.plugin.v1+json';

/** ANNOTATION_TITLE names a layer's file (`org.opencontainers.image.title`). */
export const ANNOTATION_TITLE = 'org.opencontainers.image.title';

/** MANIFEST_ACCEPT is the Accept header for manifest requests: OCI manifests and indexes. */
export const MANIFEST_ACCEPT = [
  MEDIA_TYPE_OCI_MANIFEST,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_DOCKER_MANIFEST,
  MEDIA_TYPE_DOCKER_MANIFEST_LIST,
].join(', ');

/** Descriptor points at content by digest and size. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: Record<string, unknown>;
}

/** ImageManifest is an OCI image manifest (charts and plugins are these). */
export interface ImageManifest {
  schemaVersion: number;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

/** ImageIndex is an OCI image index (a list of manifests). */
export interface ImageIndex {
  schemaVersion: number;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

/** isIndexMediaType tells whether a manifest media type is a list of manifests. */
export function isIndexMediaType(mt: string | undefined): boolean {
  return mt === MEDIA_TYPE_OCI_INDEX || mt === MEDIA_TYPE_DOCKER_MANIFEST_LIST;
}
