/** The captured preflight outputs in test/fixtures/preflight/ (see its README for their origin). */
import { readFileSync } from 'node:fs';

export const MACHINES = ['host-6.18', 'debian-6.1', 'debian-sid-7.2'] as const;
export type Machine = (typeof MACHINES)[number];

export function fixture(machine: Machine, file: string): string {
  return readFileSync(`test/fixtures/preflight/${machine}/${file}`, 'utf8');
}
