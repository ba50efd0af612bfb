/**
 * conformance: every differential fixture in test/fixtures/gotemplate/*.json (made by the real
 * helm v4.1.4 through scripts/gen-template-cases.ts) runs through our engine with helmFuncMap().
 *
 * Output cases render `x/templates/_case.tpl`, as helm does when out.yaml includes it; error
 * cases render `x/templates/case.yaml` and must give helm's stderr byte for byte. Cases whose
 * output depends on randomness or the clock are compared by shape. Known deviations are listed
 * in one table below, each with its reason; nothing else is skipped.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { TemplateSet, formatHelmRenderError } from './index.js';
import { helmFuncMap } from './funcs/index.js';
import { GO_METHODS, GoStruct, goFunc, type GoMap, type Value } from './value.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'gotemplate');

interface CaseResult {
  name: string;
  template: string;
  values?: unknown;
  output: string | null;
  error: string | null;
}

/**
 * KNOWN_DEVIATIONS: `area/case` → why our result differs from helm's. Listed cases still run.
 * In the engine's own areas (lang-*, smoke) the test fails if one starts to match, so the table
 * stays true; in the function areas, whose owners fix them independently, a match is reported.
 */
const KNOWN_DEVIATIONS: ReadonlyMap<string, string> = new Map<string, string>([
  // Function areas: owned by the function sets, listed here as of this table's last update.
  ['sprig-regex-random/r000', 'regex: capture group contents after a lazy repeated group differ from RE2'],
]);

/** OWN_AREAS are the engine's own fixture areas, where the deviation table is kept exact. */
const OWN_AREA = /^(lang-|smoke$)/;

/** RANDOM: functions whose results vary per run; cases using them are compared by shape. */
const RANDOM =
  /\b(rand\w*|uuidv4|now|genPrivateKey|genCA\w*|genSelfSignedCert\w*|genSignedCert\w*|buildCustomCert|derivePassword|bcrypt|htpasswd|encryptAES|shuffle|unixEpoch|dateInZone|date|ago|htmlDate\w*|dateModify|mustDateModify|toDate|mustToDate|duration\w*)\b/;

/** apiVersions is Capabilities.APIVersions: a []string with Go's Has method. */
function apiVersions(list: string[]): Value {
  const a = [...list];
  Object.defineProperty(a, GO_METHODS, {
    value: { Has: goFunc((v: string) => a.includes(v), ['string']) },
    enumerable: false,
  });
  return a;
}

/** goTyped marks a map with its Go type name (common.Values, engine.files), as typeOf reports it. */
function goTyped<T extends object>(v: T, type: string): T {
  Object.defineProperty(v, Symbol.for('capstan.goType'), { value: type, enumerable: false });
  return v;
}

/** emptyFiles is `.Files` of a chart with no extra files: Get finds nothing, as engine.files does. */
function emptyFiles(): GoMap {
  const files = goTyped({}, 'engine.files');
  Object.defineProperty(files, GO_METHODS, {
    value: {
      Get: goFunc(() => '', ['string']),
      GetBytes: goFunc(() => new Uint8Array(0), ['string']),
      Lines: goFunc(() => [], ['string']),
    },
    enumerable: false,
  });
  return files;
}

/** topLevel is the data helm gives a chart template (chartutil.ToRenderValues), for chart x. */
function topLevel(values: unknown, templateName: string): GoMap {
  return {
    Values: goTyped((values ?? {}) as GoMap, 'common.Values'),
    Release: { Name: 'rel', Namespace: 'ns1', IsInstall: true, IsUpgrade: false, Revision: 1n, Service: 'Helm' },
    Chart: {
      APIVersion: 'v2',
      Annotations: {},
      AppVersion: '1.0',
      Condition: '',
      Dependencies: [],
      Deprecated: false,
      Description: '',
      Home: '',
      Icon: '',
      IsRoot: true,
      Keywords: [],
      KubeVersion: '',
      Maintainers: [],
      Name: 'x',
      Sources: [],
      Tags: '',
      Type: '',
      Version: '0.1.0',
    },
    Capabilities: new GoStruct('*common.Capabilities', {
      KubeVersion: new GoStruct(
        'common.KubeVersion',
        { Version: 'v1.31.0', Major: '1', Minor: '31' },
        { String: goFunc(() => 'v1.31.0', []), GitVersion: goFunc(() => 'v1.31.0', []) },
      ),
      APIVersions: apiVersions(['v1', 'apps/v1', 'batch/v1', 'networking.k8s.io/v1', 'policy/v1']),
      HelmVersion: new GoStruct('common.BuildInfo', {
        Version: 'v4.1.4',
        GitCommit: '',
        GitTreeState: '',
        GoVersion: 'go1.25.9',
        KubeClientVersion: 'v1.35',
      }),
    }),
    Template: goTyped({ Name: templateName, BasePath: 'x/templates' }, 'common.Values'),
    Files: emptyFiles(),
    Subcharts: {},
  };
}

/**
 * shapeOf keeps an output's structure and drops its random content: every run of base64-ish
 * characters becomes one `a`, and wrapped runs (PEM bodies) become one line.
 */
function shapeOf(s: string): string {
  return s.replace(/[0-9A-Za-z+/=._]+/g, 'a').replace(/a(?:\na)+/g, 'a');
}

type Verdict = 'identical' | 'shape' | 'different';

function runCase(c: CaseResult): { verdict: Verdict; got: string } {
  const funcs = helmFuncMap();
  let got: string;
  if (c.output !== null) {
    const name = 'x/templates/_case.tpl';
    const set = new TemplateSet(funcs, { missingKey: 'zero' });
    try {
      set.parse(name, c.template);
      got = set.execute(name, topLevel(c.values, 'x/templates/out.yaml'));
    } catch (e) {
      if (e instanceof Error && !('kind' in e)) got = `BUG ${e.stack}`;
      else got = `Error: ${formatHelmRenderError(e)}`;
    }
    if (got === c.output) return { verdict: 'identical', got };
    if (RANDOM.test(c.template) && shapeOf(got) === shapeOf(c.output)) {
      return { verdict: 'shape', got };
    }
    return { verdict: 'different', got };
  }
  const name = 'x/templates/case.yaml';
  const set = new TemplateSet(funcs, { missingKey: 'zero' });
  try {
    set.parse(name, c.template);
    got = 'OUTPUT ' + set.execute(name, topLevel(c.values, name));
  } catch (e) {
    if (e instanceof Error && !('kind' in e)) got = `BUG ${e.stack}`;
    else got = `Error: ${formatHelmRenderError(e)}\n\nUse --debug flag to render out invalid YAML`;
  }
  return { verdict: got === c.error ? 'identical' : 'different', got };
}

/** CONFORMANCE_AREAS (comma-separated prefixes) narrows the run while working on one area. */
const only = process.env.CONFORMANCE_AREAS?.split(',') ?? null;
const areas = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.json'))
  .filter((f) => only === null || only.some((p) => f.startsWith(p)))
  .sort();

const summary: string[] = [];
for (const file of areas) {
  const area = file.slice(0, -'.json'.length);
  const data = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as { cases: CaseResult[] };
  test(`conformance ${area}`, () => {
    const counts = { identical: 0, shape: 0, different: 0, deviation: 0 };
    const failures: string[] = [];
    for (const c of data.cases) {
      const key = `${area}/${c.name}`;
      const { verdict, got } = runCase(c);
      const known = KNOWN_DEVIATIONS.get(key);
      if (known !== undefined) {
        if (verdict === 'different') counts.deviation++;
        else if (OWN_AREA.test(area))
          failures.push(`${key}: listed as a known deviation but now matches; remove it from the table`);
        else console.log(`note: ${key} now matches helm; remove it from KNOWN_DEVIATIONS`);
        continue;
      }
      counts[verdict]++;
      if (verdict === 'different') {
        failures.push(
          `${key}\n  template: ${JSON.stringify(c.template)}\n  want: ${JSON.stringify(c.output ?? c.error)}\n  got:  ${JSON.stringify(got)}`,
        );
      }
    }
    summary.push(
      `${area}: ${data.cases.length} cases, ${counts.identical} identical, ${counts.shape} same shape, ` +
        `${counts.deviation} known deviations, ${counts.different} different`,
    );
    if (process.env.CONFORMANCE_VERBOSE) console.log(failures.join('\n'));
    assert.equal(failures.length, 0, `${failures.length} cases differ from helm:\n${failures.slice(0, 40).join('\n')}`);
  });
}

test('conformance summary', () => {
  console.log(summary.join('\n'));
  assert.ok(summary.length > 0, 'no fixtures found');
});
