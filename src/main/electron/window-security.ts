import { shell, type BrowserWindow, type Session, type WebContents } from 'electron'
import { isAllowedExternal, isAppUrl } from '../app/app-origin'
import { CONTENT_SECURITY_POLICY } from '../app/content-security-policy'

/**
 * CSP on every response (the dev server's too; app:// responses carry it themselves), and
 * camera/microphone for the app's own page only; every other permission and device denied.
 */
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
  session.setDevicePermissionHandler(() => false)
}

/** Opens an allowlisted link in the user's browser; anything else goes nowhere. */
function openOutside(url: string): void {
  if (isAllowedExternal(url)) void shell.openExternal(url)
}

const hardened = new WeakSet<WebContents>()

/**
 * Keeps a web contents on the app: no navigation, redirect or frame navigation to anything but
 * the app, no new windows, no <webview>. Allowlisted links open in the browser instead.
 */
export function hardenContents(contents: WebContents, devServerUrl: string | undefined): void {
  if (hardened.has(contents)) return
  hardened.add(contents)
  contents.on('will-navigate', (event) => {
    if (isAppUrl(event.url, devServerUrl)) return
    event.preventDefault()
    openOutside(event.url)
  })
  contents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url, devServerUrl)) event.preventDefault()
  })
  contents.on('will-frame-navigate', (event) => {
    if (!isAppUrl(event.url, devServerUrl)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    openOutside(url)
    return { action: 'deny' }
  })
}

export function hardenWindow(win: BrowserWindow, devServerUrl: string | undefined): void {
  hardenContents(win.webContents, devServerUrl)
  win.webContents.on('preload-error', (_event, path, error) => {
    console.error(`preload failed (${path}): ${error.message}`)
  })
}
