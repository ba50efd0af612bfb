/** version: `capstan version` prints capstan's version and the Helm version it reproduces. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HELM_VERSION } from '../../chart/capabilities.js';

export const summary = 'print the capstan version';

function packageVersion(): string {
  for (const rel of ['../../../package.json', '../../package.json']) {
    try {
      const p = JSON.parse(readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8'));
      if (p.name === 'capstan') return String(p.version);
    } catch {
      // try the next layout (src/ vs dist/)
    }
  }
  return 'unknown';
}

/** run prints `capstan vX (helm vY compatible)`. */
export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write('Print the capstan version.\n\nUsage:\n  capstan version\n');
    return 0;
  }
  process.stdout.write(`capstan v${packageVersion()} (renders like helm ${HELM_VERSION.version})\n`);
  return 0;
}
