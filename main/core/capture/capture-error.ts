/**
 * What can be wrong with a capture file, as data. Messages are built apart, by
 * `describeCaptureError`, so that the CLI, the app and the tests share one wording.
 */
export type CaptureError =
  | { readonly code: 'empty' }
  | { readonly code: 'not_a_capture' }
  | { readonly code: 'newer_format'; readonly major: number; readonly supported: number }
  | { readonly code: 'cut_in_magic'; readonly bytes: number }
  | { readonly code: 'no_header'; readonly offset: number }
  | { readonly code: 'corrupt'; readonly offset: number; readonly reason: string };

export function describeCaptureError(e: CaptureError, file: string): string {
  switch (e.code) {
    case 'empty':
      return `${file}: the file is empty; it holds no capture (was the trace stopped before it started?)`;
    case 'not_a_capture':
      return `${file}: not a Lockscope capture (no LSCAP signature); to analyze bpftrace output, run: lockscope import ${file} -o CAPTURE`;
    case 'newer_format':
      return `${file}: capture format ${e.major} is newer than this Lockscope reads (format ${e.supported}); update Lockscope to open it`;
    case 'cut_in_magic':
      return `${file}: the file ends after ${e.bytes} bytes, inside the signature; it holds no events`;
    case 'no_header':
      return `${file}: the capture has no header (the file ends or breaks at byte ${e.offset}); it holds no usable events`;
    case 'corrupt':
      return `${file}: corrupt at byte ${e.offset}: ${e.reason}`;
  }
}
