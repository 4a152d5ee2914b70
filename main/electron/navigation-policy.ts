/**
 * What the app's windows may do beyond showing the app: nothing. No new windows (window.open,
 * target=_blank), no navigation away from the app's origin (a dropped file the renderer did not
 * catch, a link), no permission (camera, notifications, …). Electron's handlers in window.ts only
 * ask these functions.
 */
import { isAppUrl } from './app-origin.js';

export function windowOpenPolicy(_url: string): { readonly action: 'deny' } {
  return { action: 'deny' };
}

/** May a frame of the app's window go to this URL? Only within the app. */
export function allowNavigation(url: string): boolean {
  return isAppUrl(url);
}

/** The app needs no permission; every request and check is refused. */
export function allowPermission(_permission: string, _requestingUrl: string): boolean {
  return false;
}

/** <webview> is off in the window's preferences; any attempt to attach one is refused too. */
export function allowWebview(): boolean {
  return false;
}
