import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTarget, matchesSelector, parseSelector, SelectorError, type PatchTarget } from './selector.js';

const labels = { app: 'web', tier: 'front', 'app.kubernetes.io/name': 'podinfo' };

test('label selectors', async (t) => {
  const cases: { selector: string; want?: boolean; error?: RegExp }[] = [
    { selector: 'app=web', want: true },
    { selector: 'app==web', want: true },
    { selector: 'app!=web', want: false },
    { selector: 'missing!=x', want: true },
    { selector: 'app=web,tier=back', want: false },
    { selector: 'tier in (front, back)', want: true },
    { selector: 'tier notin (front)', want: false },
    { selector: 'app.kubernetes.io/name', want: true },
    { selector: '!legacy', want: true },
    { selector: '!app', want: false },
    { selector: ' app = web , tier in (front) ', want: true },
    { selector: '', want: true },
    { selector: 'tier in ()', error: /empty value/ },
    { selector: 'a b c', error: /cannot parse/ },
    { selector: '-bad=1', error: /invalid key "-bad"/ },
  ];
  for (const c of cases) {
    await t.test(c.selector || '(empty)', () => {
      if (c.error)
        assert.throws(
          () => parseSelector(c.selector),
          (e: Error) => e instanceof SelectorError && c.error!.test(e.message),
        );
      else assert.equal(matchesSelector(parseSelector(c.selector), labels), c.want);
    });
  }
});

const deploy = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web-frontend', labels: { app: 'web' }, annotations: { 'capstan.dev/patch': 'yes' } },
};
const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'prod' } };

test('compileTarget', async (t) => {
  const cases: { name: string; target: PatchTarget; want: [deployment: boolean, service: boolean] }[] = [
    { name: 'empty matches all', target: {}, want: [true, true] },
    { name: 'kind', target: { kind: 'Deployment' }, want: [true, false] },
    { name: 'core group is the empty string', target: { group: 'apps' }, want: [true, false] },
    { name: 'version', target: { version: 'v1' }, want: [true, true] },
    { name: 'name is an anchored regex', target: { name: 'web' }, want: [false, true] },
    { name: 'name regex', target: { name: 'web-.*' }, want: [true, false] },
    { name: 'namespace defaults to the release namespace', target: { namespace: 'prod' }, want: [true, true] },
    { name: 'label selector', target: { labelSelector: 'app=web' }, want: [true, false] },
    { name: 'annotation selector', target: { annotationSelector: 'capstan.dev/patch=yes' }, want: [true, false] },
    { name: 'kind alternatives', target: { kind: 'Deployment|Service' }, want: [true, true] },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const m = compileTarget(c.target);
      assert.deepEqual([m(deploy, 'prod'), m(service, 'prod')], c.want);
    });
  }
  await t.test('bad regex', () => assert.throws(() => compileTarget({ name: '(' }), /not a valid regular expression/));
});
