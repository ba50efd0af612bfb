/**
 * plugin: `capstan plugin invoke PLUGIN` calls an extism/v1 plugin of any type (postrenderer/v1,
 * test/v1, …) once, in the same sandboxed host the controller uses, with a JSON input message, and
 * prints its JSON output message. It is for plugin authors, and it is how Helm's own `test/v1`
 * conformance plugin is run against Capstan's host (see docs/postrenderers.md).
 */
import { readFileSync } from 'node:fs';
import { parseDuration } from '../../controller/duration.js';
import { FlagError, parseFlags, usageLines, type FlagSpec } from '../flags.js';

export const summary = 'run an extism/v1 plugin once with a JSON message';

const FLAGS: FlagSpec[] = [
  { name: 'message', kind: 'string', usage: 'the input message as JSON (default {})' },
  { name: 'message-file', kind: 'string', usage: 'read the input message from this file ("-": standard input)' },
  {
    name: 'config',
    kind: 'stringArray',
    usage: "a config entry KEY=VALUE for the PDK's GetConfig (can specify multiple)",
  },
  { name: 'timeout', kind: 'string', usage: "wall-clock limit, e.g. 10s (default: plugin.yaml's, else 10s)" },
  { name: 'memory-pages', kind: 'string', usage: "linear memory cap in 64 KiB pages (default: plugin.yaml's)" },
  {
    name: 'allow-host',
    kind: 'stringArray',
    usage: 'grant HTTP access to this host or *.domain glob (can specify multiple)',
  },
  { name: 'help', short: 'h', kind: 'bool', usage: 'help for plugin' },
];

const HELP = `Run an extism/v1 plugin once, sandboxed as the controller runs it.

The plugin's output message is printed as JSON on standard output; its log lines and what it
wrote to stdout/stderr go to standard error. The exit status is 1 when the plugin fails
(non-zero status, trap, timeout, memory limit, invalid output).

Usage:
  capstan plugin invoke PLUGIN [flags]

PLUGIN is a directory holding plugin.yaml and plugin.wasm, a .tgz archive, or
oci://HOST/REPO/NAME@sha256:DIGEST.

Flags:
${usageLines(FLAGS)}
`;

/** run executes `capstan plugin invoke`. */
export async function run(argv: string[]): Promise<number> {
  try {
    const f = parseFlags(argv, FLAGS);
    if (f.bools.get('help') || f.args.length === 0) {
      process.stdout.write(HELP);
      return f.bools.get('help') ? 0 : 1;
    }
    const [sub, ...args] = f.args;
    if (sub !== 'invoke') throw new FlagError(`unknown subcommand "${sub}" for "capstan plugin" (try "invoke")`);
    if (args.length !== 1) throw new FlagError(`invoke requires 1 argument (PLUGIN), received ${args.length}`);
    const message = readMessage(f.values.get('message')?.[0], f.values.get('message-file')?.[0]);
    const config: Record<string, string> = {};
    for (const kv of f.values.get('config') ?? []) {
      const eq = kv.indexOf('=');
      if (eq <= 0) throw new FlagError(`--config ${JSON.stringify(kv)}: want KEY=VALUE`);
      config[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    const timeout = f.values.get('timeout')?.[0];
    const timeoutMs = timeout === undefined ? undefined : parseDuration(timeout, NaN);
    if (Number.isNaN(timeoutMs)) throw new FlagError(`--timeout ${JSON.stringify(timeout)}: not a duration like 10s`);
    const pages = f.values.get('memory-pages')?.[0];
    const memoryPages = pages === undefined ? undefined : Number(pages);

    const plugins = await import('../../plugins/index.js');
    const plugin = await plugins.loadPluginRef(args[0]!, 'plugin');
    const host = new plugins.WasmHost({ maxWorkers: 1 });
    try {
      const r = await plugins.invokePlugin(plugin, message, {
        config,
        timeoutMs,
        memoryPages,
        allowedHosts: f.values.get('allow-host'),
        host,
      });
      for (const line of r.logs) process.stderr.write(`${line}\n`);
      if (r.stdio) process.stderr.write(r.stdio.endsWith('\n') ? r.stdio : `${r.stdio}\n`);
      process.stdout.write(`${JSON.stringify(r.output, null, 2)}\n`);
      return 0;
    } catch (err) {
      if (err instanceof plugins.PluginRunError) {
        for (const line of err.logs) process.stderr.write(`${line}\n`);
      }
      throw err;
    } finally {
      await host.close();
    }
  } catch (err) {
    process.stderr.write(`Error: ${(err as Error).message}\n`);
    return 1;
  }
}

function readMessage(text: string | undefined, file: string | undefined): unknown {
  if (text !== undefined && file !== undefined) throw new FlagError('--message and --message-file exclude each other');
  const src = file === undefined ? (text ?? '{}') : readFileSync(file === '-' ? 0 : file, 'utf8');
  try {
    return JSON.parse(src);
  } catch (err) {
    throw new FlagError(`the input message is not JSON: ${(err as Error).message}`);
  }
}
