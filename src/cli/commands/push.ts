/**
 * push: `capstan push CHART.tgz oci://HOST/REPO` uploads a packaged chart like `helm push`:
 * the chart name is appended to the repository and the version becomes the tag. Credentials come
 * from --username/--password, else the local Docker (or Helm registry) config.
 */
import { readFileSync } from 'node:fs';
import { FlagError, parseFlags, usageLines, type FlagSpec } from '../flags.js';

export const summary = 'push a chart to an OCI registry';

const FLAGS: FlagSpec[] = [
  {
    name: 'plain-http',
    kind: 'bool',
    usage: 'use plain HTTP (default: only for loopback registries; --plain-http=false forces HTTPS)',
  },
  { name: 'insecure-skip-tls-verify', kind: 'bool', usage: 'skip TLS certificate checks' },
  { name: 'ca-file', kind: 'string', usage: 'verify HTTPS registries with this CA bundle' },
  { name: 'username', kind: 'string', usage: 'registry username' },
  { name: 'password', kind: 'string', usage: 'registry password' },
  { name: 'help', short: 'h', kind: 'bool', usage: 'help for push' },
];

const HELP = `Upload a chart to a registry.

Usage:
  capstan push CHART.tgz oci://HOST/REPO [flags]

Flags:
${usageLines(FLAGS)}
`;

/** run executes `capstan push`; prints `Pushed:` and `Digest:` to stderr like helm. */
export async function run(argv: string[]): Promise<number> {
  try {
    const f = parseFlags(argv, FLAGS);
    if (f.bools.get('help')) {
      process.stdout.write(HELP);
      return 0;
    }
    if (f.args.length !== 2)
      throw new FlagError(`requires 2 arguments (CHART.tgz oci://HOST/REPO), received ${f.args.length}`);
    const [chartPath, target] = f.args as [string, string];
    const username = f.values.get('username')?.[0];
    const password = f.values.get('password')?.[0];
    if ((username === undefined) !== (password === undefined))
      throw new FlagError('--username and --password go together');
    const oci = await import('../../oci/index.js');
    const ref = oci.parseReference(target);
    let tgz: Buffer;
    try {
      tgz = readFileSync(chartPath);
    } catch (e) {
      throw new Error(`reading ${chartPath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
        cause: e,
      });
    }
    const caFile = f.values.get('ca-file')?.[0];
    const result = await oci.pushChart(tgz, target, {
      credentials:
        username !== undefined ? { username, password: password! } : oci.localDockerCredentials(ref.registry),
      plainHttp: f.bools.get('plain-http'),
      insecureSkipTlsVerify: f.bools.get('insecure-skip-tls-verify') ?? false,
      ca: caFile ? readFileSync(caFile) : undefined,
    });
    process.stderr.write(
      `Pushed: ${ref.registry}/${ref.repository}/${result.name}:${result.tag}\nDigest: ${result.digest}\n`,
    );
    return 0;
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError) throw e;
    process.stderr.write(`Error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
