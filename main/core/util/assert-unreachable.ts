/** Ends every switch over a discriminated union: a new member makes the build fail here. */
export function assertUnreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}
