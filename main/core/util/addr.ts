/**
 * Kernel addresses as exact JavaScript numbers.
 *
 * An address is a 64-bit value. Lockscope keeps it as the signed 64-bit reading of
 * (address - bias), where the bias comes from the capture header (0 on x86-64 with 4-level
 * paging and on arm64, where kernel addresses read as small negative numbers). NULL is always 0.
 * Every other value must lie within ±2^52 so that differences of two addresses stay exact; a
 * value outside that window is refused by {@link parseAddr}, never rounded: a rounded address
 * could make two requests look like one, and a wrong verdict is the worst bug this tool has.
 */
export type Addr = number & { readonly __brand: 'Addr' };

export const NULL_ADDR = 0 as Addr;
export const ADDR_LIMIT = 2 ** 52;

const TWO_64 = 1n << 64n;
const TWO_63 = 1n << 63n;

export type AddrParse =
  | { readonly ok: true; readonly addr: Addr }
  | { readonly ok: false; readonly reason: string };

/** The 64-bit value of an address written as "0xffff888012345678", "ffff...", or decimal. */
export function parseAddrValue(text: string): bigint | undefined {
  const t = text.trim().toLowerCase();
  if (/^0x[0-9a-f]{1,16}$/.test(t)) {
    return BigInt(t);
  }
  if (/^[0-9a-f]{16}$/.test(t)) {
    return BigInt(`0x${t}`);
  }
  if (/^-?[0-9]{1,20}$/.test(t)) {
    const v = BigInt(t);
    if (v < -TWO_63 || v >= TWO_64) {
      return undefined;
    }
    return v < 0n ? v + TWO_64 : v;
  }
  return undefined;
}

export function addrFromValue(value: bigint, bias: bigint): AddrParse {
  if (value === 0n) {
    return { ok: true, addr: NULL_ADDR };
  }
  let v = (value - bias) % TWO_64;
  if (v < 0n) {
    v += TWO_64;
  }
  const signed = v >= TWO_63 ? v - TWO_64 : v;
  if (signed === 0n || signed > BigInt(ADDR_LIMIT) || signed < -BigInt(ADDR_LIMIT)) {
    return {
      ok: false,
      reason: `address 0x${value.toString(16)} is outside the capture's address window (bias 0x${bias.toString(16)})`,
    };
  }
  return { ok: true, addr: Number(signed) as Addr };
}

export function parseAddr(text: string, bias: bigint): AddrParse {
  const value = parseAddrValue(text);
  if (value === undefined) {
    return { ok: false, reason: `"${text}" is not an address` };
  }
  return addrFromValue(value, bias);
}

/** The 64-bit value an Addr stands for. */
export function addrValue(a: Addr, bias: bigint): bigint {
  if (a === 0) {
    return 0n;
  }
  return (BigInt(a) + bias + TWO_64) % TWO_64;
}

export function formatAddr(a: Addr, bias: bigint): string {
  if (a === 0) {
    return 'NULL';
  }
  return `0x${addrValue(a, bias).toString(16).padStart(16, '0')}`;
}

/** A mutex owner word with its 3 flag bits cleared: the owning task_struct pointer. */
export function ownerTask(owner: Addr): Addr {
  // Works on the signed reading: clearing the low 3 bits of the 64-bit value equals rounding
  // (address - bias) down to a multiple of 8 when the bias is a multiple of 8.
  return (owner - (((owner % 8) + 8) % 8)) as Addr;
}
