/**
 * What only the desktop shell offers the UI, beside the AppApi: the system's open dialog. Kept
 * apart from app-contract.ts because `lockscope serve` has no such verb (a browser picks files
 * itself and sends their bytes). Like every AppApi method, each verb's argument is checked on
 * arrival (the renderer is not trusted), and it answers with an AppResult.
 */
import { z } from 'zod';
import type { AppError, AppResult, CaptureInfo } from './app-contract.js';

export interface ShellApi {
  /** The system's open dialog (several .lscap files at once); each chosen file is opened. */
  pickCaptureFiles(a: Record<string, never>): Promise<AppResult<readonly CaptureInfo[]>>;
}

export type ShellMethod = keyof ShellApi;
export type ShellArgs<M extends ShellMethod> = Parameters<ShellApi[M]>[0];

export const SHELL_SCHEMAS = {
  pickCaptureFiles: z.object({}).strict(),
} as const satisfies { readonly [M in ShellMethod]: z.ZodType };

export const SHELL_METHODS = Object.keys(SHELL_SCHEMAS) as readonly ShellMethod[];

export function isShellMethod(name: string): name is ShellMethod {
  return Object.hasOwn(SHELL_SCHEMAS, name);
}

/** The argument, checked; or the error the renderer gets back. */
export function checkShellArgs<M extends ShellMethod>(method: M, raw: unknown): { readonly ok: true; readonly value: ShellArgs<M> } | { readonly ok: false; readonly error: AppError } {
  const parsed = SHELL_SCHEMAS[method].safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: { code: 'bad_request', message: `${method}: refused arguments: ${issue?.message ?? 'invalid'}` } };
  }
  return { ok: true, value: parsed.data };
}
