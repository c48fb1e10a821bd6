import { shell, type BrowserWindow, type Session } from 'electron'
import { CONTENT_SECURITY_POLICY } from '../app/content-security-policy'

export { CONTENT_SECURITY_POLICY }

export function isAppUrl(url: string, devServerUrl: string | undefined): boolean {
  if (url.startsWith('file://')) return true
  return Boolean(devServerUrl && url.startsWith(devServerUrl))
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
