/** The Targets view's pure helpers: ssh_config hosts, address checks and names, targets.json, the per-second samples. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionSamples } from '../../../main/core/app/session-samples.js';
import { sshConfigHosts } from '../../../main/core/app/ssh-config-hosts.js';
import { addressSlug, checkTargetAddress, sessionCaptureName } from '../../../main/core/app/target-address.js';
import { formatTargetsFile, parseTargetsFile } from '../../../main/core/app/targets-file.js';
import type { SessionCounters } from '../../../main/core/session/session-progress.js';

describe('sshConfigHosts', () => {
  it('offers plain aliases and skips patterns, negations, comments and other keywords', () => {
    const text = [
      '# lab machines',
      'Host db1 db2',
      '  HostName 10.0.0.1',
      '  User root',
      'Host *.internal !bastion',
      'host=lab-sid',
      'Host "quoted"',
      'Match host foo',
      'Host db1',
      'Host -oProxyCommand=evil',
      'Host ??-box',
    ].join('\n');
    assert.deepEqual(sshConfigHosts(text), ['db1', 'db2', 'lab-sid', 'quoted']);
  });

  it('finds nothing in an empty file', () => {
    assert.deepEqual(sshConfigHosts(''), []);
  });
});

describe('checkTargetAddress', () => {
  it('takes local, ssh URLs and aliases, trimmed', () => {
    assert.deepEqual(checkTargetAddress(' local '), { ok: true, value: 'local' });
    assert.deepEqual(checkTargetAddress('ssh://root@db2:2222'), { ok: true, value: 'ssh://root@db2:2222' });
    assert.deepEqual(checkTargetAddress('lab-sid'), { ok: true, value: 'lab-sid' });
  });

  it('says what is wrong, for a form', () => {
    const cases: readonly [string, RegExp][] = [
      ['', /give an address/],
      ['http://x', /^the address "http:\/\/x": only ssh:\/\/ targets are supported/],
      ['ssh://db:99999', /port 99999 is out of range/],
      ['ssh://db:http', /port "http" is not a number/],
      ['-oProxyCommand=x', /is not a host name or an ssh alias/],
      ['ssh://bad user@db', /user name "bad user" is not valid/],
    ];
    for (const [text, want] of cases) {
      const r = checkTargetAddress(text);
      assert.ok(!r.ok, text);
      assert.match(r.error, want, text);
    }
  });

  it('names session captures by target and UTC time', () => {
    assert.equal(addressSlug('ssh://root@db2:2222'), 'root_db2_2222');
    assert.equal(addressSlug('.hidden'), '_.hidden');
    assert.equal(sessionCaptureName('local', Date.UTC(2026, 10, 26, 7, 5, 9)), 'local-20261126-070509.lscap');
  });
});

describe('targets.json', () => {
  it('round-trips', () => {
    const targets = [{ id: 'db1', address: 'ssh://root@db1', label: 'staging' }];
    assert.deepEqual(parseTargetsFile(formatTargetsFile(targets)), { ok: true, value: targets });
  });

  it('refuses damage with what is wrong', () => {
    const bad: readonly [string, RegExp][] = [
      ['{"version": 1, "targets": [', /^not JSON/],
      ['{"version": 2, "targets": []}', /version/],
      ['{"version": 1, "targets": [{"id": "a", "address": "x"}]}', /targets\.0\.label/],
      ['{"version": 1, "targets": [{"id": "a", "address": "x", "label": ""}, {"id": "a", "address": "y", "label": ""}]}', /id a is given twice/],
      ['{"version": 1, "targets": [{"id": "a", "address": "-oX", "label": ""}]}', /target a: the address/],
    ];
    for (const [text, want] of bad) {
      const r = parseTargetsFile(text);
      assert.ok(!r.ok, text);
      assert.match(r.error, want, text);
    }
  });
});

describe('SessionSamples', () => {
  const c = (elapsedMs: number, events: number, held = 0, notHeld = 0, unknown = 0): SessionCounters => ({
    elapsedMs, durationMs: 10_000, events, rate: 0, lostEvents: 0, misses: undefined, held, notHeld, unknown, calibration: '',
  });

  it('turns cumulative readings into one sample per second of rates', () => {
    const s = new SessionSamples();
    assert.equal(s.add(c(0, 0)), false);
    assert.equal(s.add(c(400, 100)), false);
    assert.equal(s.add(c(1000, 500, 2, 1, 0)), true);
    assert.equal(s.add(c(1600, 900)), false);
    assert.equal(s.add(c(2500, 2000, 5, 1, 3)), true);
    assert.deepEqual(s.samples(), [
      { elapsedS: 1, eventsPerS: 500, heldPerS: 2, notHeldPerS: 1, unknownPerS: 0 },
      { elapsedS: 2.5, eventsPerS: 1000, heldPerS: 2, notHeldPerS: 0, unknownPerS: 2 },
    ]);
  });

  it('keeps only the last seconds', () => {
    const s = new SessionSamples(3);
    for (let i = 0; i <= 10; i++) {
      s.add(c(i * 1000, i * 10));
    }
    assert.deepEqual(s.samples().map((x) => x.elapsedS), [8, 9, 10]);
  });
});
