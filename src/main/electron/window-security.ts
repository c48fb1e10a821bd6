import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { shell, type BrowserWindow, type Session } from 'electron'
import { CONTENT_SECURITY_POLICY } from '../app/content-security-policy'

export { CONTENT_SECURITY_POLICY }

/** The one page the app serves: the built renderer, or the dev server's origin in development. */
export const APP_PAGE_URL = pathToFileURL(join(__dirname, '../renderer/index.html')).href

export function isAppUrl(url: string, devServerUrl: string | undefined): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  // Any other local file the window is made to open is not us: no bridge, no camera.
  if (parsed.protocol === 'file:') return `file://${parsed.pathname}` === APP_PAGE_URL
  return Boolean(devServerUrl && parsed.origin === new URL(devServerUrl).origin)
}

/** CSP on every response and camera/microphone for our own page only; everything else denied. */
export function hardenSession(session: Session, devServerUrl: string | undefined): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
      },
    })
  })
  session.setPermissionRequestHandler((webContents, permission, callback, details) => {
    const origin = details.requestingUrl || webContents.getURL()
    callback(permission === 'media' && isAppUrl(origin, devServerUrl))
  })
  session.setPermissionCheckHandler((_wc, permission, requestingOrigin) => {
    return permission === 'media' && isAppUrl(requestingOrigin, devServerUrl)
  })
}

/** No navigation away from the app and no new windows; http(s) links open in the browser. */
export function hardenWindow(win: BrowserWindow, devServerUrl: string | undefined): void {
  win.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, devServerUrl)) event.preventDefault()
  })
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  win.webContents.on('preload-error', (_event, path, error) => {
    console.error(`preload failed (${path}): ${error.message}`)
  })
}
