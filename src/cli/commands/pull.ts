/**
 * pull: `capstan pull oci://HOST/REPO/CHART[:TAG|@DIGEST] [--version RANGE] [-d DIR]` downloads a
 * chart archive like `helm pull`, verified and through Capstan's content cache, and writes
 * `NAME-VERSION.tgz` into DIR.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlagError, parseFlags, usageLines, type FlagSpec } from '../flags.js';

export const summary = 'download a chart from an OCI registry';

const FLAGS: FlagSpec[] = [
  {
    name: 'version',
    kind: 'string',
    usage: 'version or semver range (e.g. 1.2.3, ^2.0.0, 6.x); default: latest stable',
  },
  { name: 'destination', short: 'd', kind: 'string', usage: 'directory to write the chart to (default ".")' },
  {
    name: 'plain-http',
    kind: 'bool',
    usage: 'use plain HTTP (default: only for loopback registries; --plain-http=false forces HTTPS)',
  },
  { name: 'insecure-skip-tls-verify', kind: 'bool', usage: 'skip TLS certificate checks' },
  { name: 'ca-file', kind: 'string', usage: 'verify HTTPS registries with this CA bundle' },
  { name: 'username', kind: 'string', usage: 'registry username' },
  { name: 'password', kind: 'string', usage: 'registry password' },
  {
    name: 'cache-dir',
    kind: 'string',
    usage: 'content cache directory (default $CAPSTAN_OCI_CACHE_DIR or ~/.cache/capstan/oci)',
  },
  { name: 'help', short: 'h', kind: 'bool', usage: 'help for pull' },
];

const HELP = `Download a chart from an OCI registry.

Usage:
  capstan pull oci://HOST/REPO/CHART[:TAG][@DIGEST] [flags]

Flags:
${usageLines(FLAGS)}
`;

/** run executes `capstan pull`; prints `Pulled:` and `Digest:` to stderr like helm. */
export async function run(argv: string[]): Promise<number> {
  try {
    const f = parseFlags(argv, FLAGS);
    if (f.bools.get('help')) {
      process.stdout.write(HELP);
      return 0;
    }
    if (f.args.length !== 1)
      throw new FlagError(`requires 1 argument (oci://HOST/REPO/CHART), received ${f.args.length}`);
    const source = f.args[0]!;
    const username = f.values.get('username')?.[0];
    const password = f.values.get('password')?.[0];
    if ((username === undefined) !== (password === undefined))
      throw new FlagError('--username and --password go together');
    const oci = await import('../../oci/index.js');
    const ref = oci.parseReference(source);
    const caFile = f.values.get('ca-file')?.[0];
    const cacheDir = f.values.get('cache-dir')?.[0];
    const pulled = await oci.pullChart(source, {
      version: f.values.get('version')?.[0],
      credentials:
        username !== undefined ? { username, password: password! } : oci.localDockerCredentials(ref.registry),
      plainHttp: f.bools.get('plain-http'),
      insecureSkipTlsVerify: f.bools.get('insecure-skip-tls-verify') ?? false,
      ca: caFile ? readFileSync(caFile) : undefined,
      cache: cacheDir ? oci.ChartCache.shared(cacheDir) : undefined,
    });
    if (pulled.tagMismatch) {
      process.stderr.write(
        `Warning: tag ${pulled.tagMismatch.tag} now points at ${pulled.tagMismatch.tagDigest}; pulled the pinned digest ${pulled.digest}\n`,
      );
    }
    const meta = await oci.readChartMetadata(pulled.bytes);
    const dest = f.values.get('destination')?.[0] ?? '.';
    mkdirSync(dest, { recursive: true });
    const file = join(dest, `${meta.name}-${meta.version}.tgz`);
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, pulled.bytes);
    renameSync(tmp, file);
    process.stderr.write(
      `Pulled: ${ref.registry}/${ref.repository}${pulled.tag ? `:${pulled.tag}` : ''}\nDigest: ${pulled.digest}\n`,
    );
    return 0;
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError) throw e;
    process.stderr.write(`Error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
