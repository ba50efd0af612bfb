import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  findCondition,
  isConditionTrue,
  removeCondition,
  setCondition,
  type Condition,
  type ConditionInput,
} from './index.js';

const t0 = '2024-05-01T10:00:00Z';
const now = new Date('2024-05-02T08:30:15.987Z');
const ready = (status: Condition['status'], extra: Partial<Condition> = {}): Condition => ({
  type: 'Ready',
  status,
  observedGeneration: 1,
  lastTransitionTime: t0,
  reason: 'InstallSucceeded',
  message: 'Helm install succeeded for release default/web.v1',
  ...extra,
});

describe('setCondition', () => {
  const cases: { name: string; before: Condition[] | undefined; set: ConditionInput; want: Condition[] }[] = [
    {
      name: 'appends a new condition with the current time',
      before: undefined,
      set: {
        type: 'Ready',
        status: 'Unknown',
        reason: 'Progressing',
        message: 'Fresh install in progress',
        observedGeneration: 1,
      },
      want: [
        {
          type: 'Ready',
          status: 'Unknown',
          observedGeneration: 1,
          lastTransitionTime: '2024-05-02T08:30:15Z',
          reason: 'Progressing',
          message: 'Fresh install in progress',
        },
      ],
    },
    {
      name: 'same status keeps lastTransitionTime, updates reason, message and generation',
      before: [ready('True')],
      set: {
        type: 'Ready',
        status: 'True',
        reason: 'UpgradeSucceeded',
        message: 'Helm upgrade succeeded',
        observedGeneration: 2,
      },
      want: [
        {
          type: 'Ready',
          status: 'True',
          observedGeneration: 2,
          lastTransitionTime: t0,
          reason: 'UpgradeSucceeded',
          message: 'Helm upgrade succeeded',
        },
      ],
    },
    {
      name: 'status change moves lastTransitionTime',
      before: [
        ready('True'),
        { type: 'Released', status: 'True', lastTransitionTime: t0, reason: 'InstallSucceeded', message: 'ok' },
      ],
      set: { type: 'Ready', status: 'False', reason: 'UpgradeFailed', message: 'timed out', observedGeneration: 2 },
      want: [
        {
          type: 'Ready',
          status: 'False',
          observedGeneration: 2,
          lastTransitionTime: '2024-05-02T08:30:15Z',
          reason: 'UpgradeFailed',
          message: 'timed out',
        },
        { type: 'Released', status: 'True', lastTransitionTime: t0, reason: 'InstallSucceeded', message: 'ok' },
      ],
    },
    {
      name: 'missing observedGeneration is omitted, not carried over',
      before: [ready('True')],
      set: { type: 'Ready', status: 'True', reason: 'R', message: 'm' },
      want: [{ type: 'Ready', status: 'True', lastTransitionTime: t0, reason: 'R', message: 'm' }],
    },
    {
      name: 'fixed bug: an existing condition without lastTransitionTime gets one',
      before: [ready('True', { lastTransitionTime: '' })],
      set: { type: 'Ready', status: 'True', reason: 'R', message: 'm', observedGeneration: 1 },
      want: [
        {
          type: 'Ready',
          status: 'True',
          observedGeneration: 1,
          lastTransitionTime: '2024-05-02T08:30:15Z',
          reason: 'R',
          message: 'm',
        },
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const snapshot = structuredClone(c.before);
      const got = setCondition(c.before, c.set, now);
      assert.deepEqual(got, c.want);
      assert.deepEqual(c.before, snapshot, 'input must not be modified');
      assert.equal(got.filter((x) => x.type === c.set.type).length, 1, 'no duplicate condition types');
    });
  }
});

describe('condition lookups', () => {
  const conds = [
    ready('True'),
    { type: 'Released', status: 'False' as const, lastTransitionTime: t0, reason: 'X', message: '' },
  ];
  const cases: { name: string; run: () => unknown; want: unknown }[] = [
    { name: 'findCondition finds by type', run: () => findCondition(conds, 'Released')?.reason, want: 'X' },
    { name: 'findCondition misses', run: () => findCondition(conds, 'Stalled'), want: undefined },
    { name: 'findCondition on undefined', run: () => findCondition(undefined, 'Ready'), want: undefined },
    { name: 'isConditionTrue true', run: () => isConditionTrue(conds, 'Ready'), want: true },
    { name: 'isConditionTrue false status', run: () => isConditionTrue(conds, 'Released'), want: false },
    { name: 'isConditionTrue absent', run: () => isConditionTrue(undefined, 'Ready'), want: false },
    { name: 'removeCondition', run: () => removeCondition(conds, 'Ready').map((c) => c.type), want: ['Released'] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(c.run(), c.want));
});
