/**
 * Where the app's page comes from, and which other places it may send the user to. The shell
 * keys everything on these: IPC senders, navigation, permissions and external links.
 */

/** The privileged scheme the built renderer is served from (a standard, secure origin). */
export const APP_SCHEME = 'app'
export const APP_HOST = 'bundle'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
export const APP_PAGE_URL = `${APP_ORIGIN}/index.html`

/**
 * The only sites a link in the app may open in the user's browser, compared by exact origin:
 * Triton's documentation and its repositories. Anything else stays closed.
 */
export const EXTERNAL_ORIGINS: readonly string[] = ['https://docs.nvidia.com', 'https://github.com']

function parse(url: string): URL | undefined {
  try {
    return new URL(url)
  } catch {
    return undefined
  }
}

/** True for a URL of the app itself: app://bundle, or the dev server's origin under `npm run dev`. */
export function isAppUrl(url: string, devServerUrl: string | undefined): boolean {
  const u = parse(url)
  if (!u || u.username || u.password) return false
  if (u.protocol === `${APP_SCHEME}:`) return u.host.toLowerCase() === APP_HOST
  if (!devServerUrl || (u.protocol !== 'http:' && u.protocol !== 'https:')) return false
  return u.origin === parse(devServerUrl)?.origin
}

/** True for an https link to an allowlisted origin, with no credentials in it. */
export function isAllowedExternal(url: string): boolean {
  const u = parse(url)
  if (!u || u.protocol !== 'https:' || u.username || u.password) return false
  return EXTERNAL_ORIGINS.includes(u.origin)
}
