/** Opens files the user dropped or picked: by path in Electron, by their bytes in a browser. */
import type { AppError, CaptureInfo } from '../../main/core/app/app-contract.js';
import { api, shell } from './bridge.js';

const MAX_BYTES = 512 * 1024 * 1024;

function base64Of(bytes: Uint8Array): string {
  let s = '';
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) {
    s += String.fromCharCode(...bytes.subarray(i, i + step));
  }
  return btoa(s);
}

export async function openDroppedFiles(files: readonly File[], notify: (e: AppError) => void): Promise<readonly CaptureInfo[]> {
  const opened: CaptureInfo[] = [];
  for (const f of files) {
    const path = shell.pathForFile?.(f);
    let r;
    if (path !== undefined && path !== '') {
      r = await api.openCaptureFile({ path });
    } else if (f.size > MAX_BYTES) {
      r = { ok: false as const, error: { code: 'open_failed' as const, message: `${f.name}: ${f.size.toLocaleString('en-US')} bytes is more than the browser can send (512 MiB); open it with lockscope serve CAPTURE or in the desktop app` } };
    } else {
      r = await api.openCaptureBytes({ name: f.name.replace(/[/\\]/g, '_') || 'capture.lscap', base64: base64Of(new Uint8Array(await f.arrayBuffer())) });
    }
    if (r.ok) {
      opened.push(r.value);
    } else {
      notify(r.error);
    }
  }
  return opened;
}
