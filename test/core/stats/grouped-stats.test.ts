import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupedStats } from '../../../main/core/stats/grouped-stats.js';

describe('GroupedStats', () => {
  it('gets or creates one histogram per key; peek never creates', () => {
    const g = new GroupedStats();
    assert.equal(g.peek('ring:1'), undefined);
    assert.equal(g.size, 0);
    const a = g.get('ring:1');
    assert.equal(g.get('ring:1'), a);
    g.record('ring:1', 10);
    g.record('task:42', 20);
    g.record('task:42', 30);
    assert.equal(a.count, 1);
    assert.equal(g.peek('task:42')?.count, 2);
    assert.deepEqual([...g.keys()], ['ring:1', 'task:42']);
    assert.equal(g.has('task:43'), false);
    const total = g.total();
    assert.equal(total.count, 3);
    assert.equal(total.sum, 60);
  });

  it('merges per key', () => {
    const a = new GroupedStats();
    const b = new GroupedStats();
    a.record('x', 1);
    b.record('x', 2);
    b.record('y', 3);
    a.merge(b);
    assert.equal(a.peek('x')?.count, 2);
    assert.equal(a.peek('y')?.max, 3);
    assert.equal(b.peek('x')?.count, 1);
  });

  it('round-trips through JSON, any key included', () => {
    const g = new GroupedStats();
    g.record('__proto__', 5);
    g.record('constructor', 6_000_000);
    g.get('empty');
    const back = GroupedStats.fromJSON(JSON.parse(JSON.stringify(g)));
    assert.ok(back.ok);
    assert.deepEqual(back.value.toJSON(), g.toJSON());
    assert.equal(back.value.peek('__proto__')?.min, 5);
    assert.equal(GroupedStats.fromJSON({ groups: [['a', {}]] }).ok, false);
    const dup = g.toJSON().groups[0];
    assert.ok(dup !== undefined);
    assert.equal(GroupedStats.fromJSON({ groups: [dup, dup] }).ok, false);
  });
});
