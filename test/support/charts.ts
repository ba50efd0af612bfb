/**
 * charts: builds small charts on disk for a test and pushes them to the test registry, so each
 * scenario has exactly the chart it needs.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { packageChart } from '../../src/chart/package.js';
import { pushChart } from '../../src/oci/index.js';

/** writeChart writes `files` (paths relative to the chart root) plus a Chart.yaml. */
export function writeChart(name: string, version: string, files: Record<string, string>): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'capstan-test-chart-')), name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'Chart.yaml'), `apiVersion: v2\nname: ${name}\nversion: ${version}\nappVersion: "1.0"\n`);
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), content);
  }
  return dir;
}

/** pushTestChart packages and pushes a chart; returns its oci:// ref (without tag) and digest. */
export async function pushTestChart(
  registry: string,
  repo: string,
  name: string,
  version: string,
  files: Record<string, string>,
): Promise<{ ref: string; digest: string }> {
  const pkg = await packageChart(writeChart(name, version, files));
  const r = await pushChart(pkg.bytes, `oci://${registry}/${repo}`);
  return { ref: `oci://${registry}/${repo}/${name}`, digest: r.digest };
}

/** webChart is a Deployment + Service + ConfigMap chart with common knobs. */
export const webChart = (extra: Record<string, string> = {}): Record<string, string> => ({
  'values.yaml': 'replicas: 1\nmessage: hello\nnodeSelector: {}\n',
  'templates/configmap.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config
data:
  message: {{ .Values.message | quote }}
`,
  'templates/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicas }}
  progressDeadlineSeconds: 600
  selector:
    matchLabels: {app: {{ .Release.Name }}}
  template:
    metadata:
      labels: {app: {{ .Release.Name }}}
    spec:
      {{- with .Values.nodeSelector }}
      nodeSelector: {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: web
          image: nginx:1.27
`,
  'templates/service.yaml': `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
spec:
  selector: {app: {{ .Release.Name }}}
  ports: [{port: 80}]
`,
  ...extra,
});
