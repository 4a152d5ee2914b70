/**
 * The app's own origin: the renderer is served from `lockscope://app/` (a privileged standard,
 * secure scheme handled in main) rather than file://, so it has an origin of its own that no
 * other page shares and that every check below can name.
 */
export const APP_SCHEME = 'lockscope';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** The URL is a page of the app: scheme and host exactly the app's (no port, no credentials). */
export function isAppUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
}
