/** Quoted arguments come out of a real /bin/sh exactly as they went in. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { shellCommand, shellQuote } from '../../../main/core/util/shell-quote.js';

describe('shell quoting', () => {
  it('survives sh byte for byte', () => {
    const args = ["it's", "''", 'a $HOME `id` $(id) \\ \\n', '"x"', ';&|<>(){}*?[]~#!', 'new\nline\ttab', '', '-e', 'ünïcödé'];
    const out = execFileSync('/bin/sh', ['-c', shellCommand(['printf', '%s\\0', ...args])]);
    assert.deepEqual(out.toString('utf8').split('\0').slice(0, -1), args);
  });

  it('refuses NUL and empty commands', () => {
    assert.throws(() => shellQuote('a\0b'), RangeError);
    assert.throws(() => shellCommand([]), RangeError);
  });
});
