/**
 * The evidence period: how often a routine window of each shape is recorded in full per ring and
 * CPU (the others are only counted in the kernel). Shared by the program generator, the app's
 * request schema, `trace --evidence-period` and the start-session form.
 */

/**
 * At most one routine window of a kind per ring and CPU recorded every second: printing a record
 * for every window cost the 6.1 lab's workload 9x what the probes themselves cost, and even one
 * in 100 more than the counting (bench/overhead): each record wakes bpftrace up, about 2 ms of
 * emulated CPU in the lab.
 */
export const DEFAULT_EVIDENCE_PERIOD_MS = 1000;

/** The longest period accepted (0 records every window). */
export const MAX_EVIDENCE_PERIOD_MS = 60_000;
