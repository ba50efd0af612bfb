/**
 * template: `capstan template NAME CHART [flags]` prints what `helm template` prints for the same
 * arguments. CHART is a directory, a .tgz or an `oci://` reference. Errors go to stderr as
 * `Error: MESSAGE` with exit status 1, like helm.
 */
import { FlagError, parseFlags, usageLines, type FlagSpec } from '../flags.js';

export const summary = 'locally render templates (like helm template)';

const FLAGS: FlagSpec[] = [
  { name: 'values', short: 'f', kind: 'stringSlice', usage: 'specify values in a YAML file (can specify multiple)' },
  { name: 'set', kind: 'stringArray', usage: 'set values on the command line (key1=val1,key2=val2)' },
  { name: 'set-string', kind: 'stringArray', usage: 'set STRING values on the command line' },
  { name: 'set-json', kind: 'stringArray', usage: 'set JSON values on the command line' },
  { name: 'set-file', kind: 'stringArray', usage: 'set values from files (key1=path1)' },
  { name: 'set-literal', kind: 'stringArray', usage: 'set a literal STRING value on the command line' },
  { name: 'namespace', short: 'n', kind: 'string', usage: 'namespace scope for this request' },
  { name: 'kube-version', kind: 'string', usage: 'Kubernetes version used for Capabilities.KubeVersion' },
  {
    name: 'api-versions',
    short: 'a',
    kind: 'stringSlice',
    usage: 'Kubernetes api versions used for Capabilities.APIVersions',
  },
  { name: 'include-crds', kind: 'bool', usage: 'include CRDs in the templated output' },
  { name: 'skip-tests', kind: 'bool', usage: 'skip tests from templated output' },
  { name: 'no-hooks', kind: 'bool', usage: 'prevent hooks from running during install' },
  {
    name: 'show-only',
    short: 's',
    kind: 'stringArray',
    usage: 'only show manifests rendered from the given templates',
  },
  { name: 'skip-schema-validation', kind: 'bool', usage: 'disable JSON schema validation' },
  { name: 'is-upgrade', kind: 'bool', usage: 'set .Release.IsUpgrade instead of .Release.IsInstall' },
  { name: 'render-subchart-notes', kind: 'bool', usage: 'render subchart notes along with the parent' },
  { name: 'version', kind: 'string', usage: 'chart version constraint for oci:// references' },
  {
    name: 'post-renderer',
    kind: 'string',
    usage: 'a postrenderer/v1 WebAssembly plugin to post-render with: a directory, a .tgz, or oci://REF@sha256:DIGEST',
  },
  { name: 'post-renderer-args', kind: 'stringArray', usage: 'an argument to the post-renderer (can specify multiple)' },
  { name: 'help', short: 'h', kind: 'bool', usage: 'help for template' },
];

const HELP = `Render chart templates locally and display the output, exactly as helm template does.

Usage:
  capstan template NAME CHART [flags]

CHART is a chart directory, a packaged chart (.tgz) or an oci:// reference.

Flags:
${usageLines(FLAGS)}
`;

async function chartBytesOrPath(chart: string, version: string | undefined): Promise<string | Uint8Array> {
  if (!chart.startsWith('oci://')) return chart;
  const oci = await import('../../oci/index.js');
  const pulled = await oci.pullChart(chart, version ? { version } : {});
  return pulled.bytes;
}

/**
 * postRenderWith runs one postrenderer/v1 plugin over a rendered release as `helm template
 * --post-renderer` does (hooks included), in a plugin host that is closed afterwards.
 */
async function postRenderWith(
  ref: string,
  extraArgs: string[],
  rendered: import('../../chart/render.js').RenderedRelease,
  namespace: string,
): Promise<import('../../chart/render.js').RenderedRelease> {
  const plugins = await import('../../plugins/index.js');
  const plugin = await plugins.loadPluginRef(ref, '--post-renderer');
  const host = new plugins.WasmHost({ maxWorkers: 1 });
  try {
    const out = await plugins.postRenderRelease(rendered, [{ wasm: { plugin, extraArgs } }], {
      includeHooks: true,
      namespace,
      host,
    });
    return out.rendered;
  } catch (e) {
    throw new Error(`error while running post render on files: ${(e as Error).message}`, { cause: e });
  } finally {
    await host.close();
  }
}

/** CommandIO is where a command writes; tests capture it, `run` uses the process streams. */
export interface CommandIO {
  stdout(s: string): void;
  stderr(s: string): void;
}

/** run executes `capstan template`; returns the exit status. */
export async function run(argv: string[]): Promise<number> {
  return templateCommand(argv, {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
  });
}

/** templateCommand is `capstan template` writing to io (in-process, for tests and benchmarks). */
export async function templateCommand(argv: string[], io: CommandIO): Promise<number> {
  try {
    const f = parseFlags(argv, FLAGS);
    if (f.bools.get('help')) {
      io.stdout(HELP);
      return 0;
    }
    if (f.args.length > 2) {
      throw new FlagError(`expected at most two arguments, unexpected arguments: ${f.args.slice(2).join(', ')}`);
    }
    if (f.args.length === 0) {
      throw new FlagError(
        '"capstan template" requires at least 1 argument\n\nUsage:  capstan template [NAME] [CHART] [flags]',
      );
    }
    // Like helm template, a lone argument is the chart and the release is named "release-name".
    const [releaseName, chartArg] = f.args.length === 1 ? ['release-name', f.args[0]] : f.args;
    const [{ mergeValueOptions }, { loadChart }, { printTemplate, renderTemplate }] = await Promise.all([
      import('../../chart/valueopts.js'),
      import('../../chart/loader.js'),
      import('../../chart/render.js'),
    ]);
    const values = mergeValueOptions({
      valueFiles: f.values.get('values'),
      values: f.values.get('set'),
      stringValues: f.values.get('set-string'),
      jsonValues: f.values.get('set-json'),
      fileValues: f.values.get('set-file'),
      literalValues: f.values.get('set-literal'),
    });
    const chart = await loadChart(await chartBytesOrPath(chartArg, f.values.get('version')?.[0]));
    if (chart.metadata.deprecated) io.stderr('level=WARN msg="this chart is deprecated"\n');
    const opts = {
      releaseName,
      namespace: f.values.get('namespace')?.[0] ?? process.env.HELM_NAMESPACE ?? 'default',
      values,
      capabilities: {
        kubeVersion: f.values.get('kube-version')?.[0],
        apiVersions: f.values.get('api-versions'),
      },
      includeCrds: f.bools.get('include-crds') ?? false,
      skipTests: f.bools.get('skip-tests') ?? false,
      noHooks: f.bools.get('no-hooks') ?? false,
      showOnly: f.values.get('show-only'),
      skipSchemaValidation: f.bools.get('skip-schema-validation') ?? false,
      isUpgrade: f.bools.get('is-upgrade') ?? false,
      subNotes: f.bools.get('render-subchart-notes') ?? false,
      warn: (m: string) => io.stderr(m + '\n'),
    };
    let rendered = renderTemplate(chart, opts);
    const pr = f.values.get('post-renderer')?.[0];
    if (pr) rendered = await postRenderWith(pr, f.values.get('post-renderer-args') ?? [], rendered, opts.namespace);
    const out = printTemplate(rendered, opts);
    io.stdout(out);
    return 0;
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError) throw e;
    io.stderr(`Error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
