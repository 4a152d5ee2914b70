/**
 * The importer's address bias: kernels with 5-level paging (LA57; QEMU's `-cpu max` gives it to
 * the lab guests) put heap addresses near 0xff11_0000_0000_0000, more than 2^52 from 0, so the
 * bias is taken from the first event line; 4-level kernels keep bias 0.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { importBpftrace } from '../../../main/core/import/bpftrace-importer.js';
import { chooseAddrBias } from '../../../main/core/import/ls1-line.js';

// Real lines from the Debian sid 7.2 lab guest (LA57).
const LA57 = [
  'LS1 window_summary 212610910539 0 202 site=io_wq_free_work dur=3709833 task=0xff1e46a4c45f2300 req=0xff1e46a5700a4300 ctx=0xff1e46a4c45fc000 lock=0xff1e46a4c45fc040 flags=0x10000180014 link=0xff1e46a5700a4b00 owner=0x0 held=not_held next=0xff1e46a5700a4b00 nops=3 overflow=0',
  'LS1 window_op 212612815069 0 202 op=acquire api=mutex_lock link=0xff1e46a5700a4b00',
  'LS1 window_op 212613419221 0 202 op=acquired api=mutex_lock link=0xff1e46a5700a4b00',
  'LS1 window_op 212613779797 0 202 op=release api=mutex_lock link=0x0',
  'LS1 totals 225892438908 -1 0 ctx=0xff1e46a4c45fc000 windows=10896 walks=8172 locked=8172 tails=2724',
];

describe('address bias', () => {
  it('is 0 for 4-level kernel addresses and for lines without addresses', () => {
    assert.equal(chooseAddrBias(' req=0xffff888004b1c600 link=0x0'), 0n);
    assert.equal(chooseAddrBias(' probe=3 missed=0'), 0n);
  });

  it('is the first LA57 address rounded down to 4 GiB, skipping NULLs', () => {
    assert.equal(chooseAddrBias(' owner=0x0 task=0xff1e46a4c45f2300'), 0xff1e46a400000000n);
  });

  it('lets a real LA57 capture import without errors, walk and link intact', () => {
    const { result, events } = importBpftrace(LA57);
    assert.deepEqual(result.errors, []);
    assert.equal(result.header.addrBias, 0xff1e46a400000000n);
    const s = events.find((e) => e.kind === 'window_summary');
    assert.ok(s?.kind === 'window_summary');
    assert.equal(s.next, s.link);
    assert.deepEqual(s.ops.map((o) => o.op), ['acquire', 'acquired', 'release']);
    assert.equal(s.ops[0]?.link, s.link);
  });
});
