import { join } from 'node:path'
import { BrowserWindow } from 'electron'
import { APP_PAGE_URL } from '../app/app-origin'
import { hardenWindow } from './window-security'

/** The one place windows are made: sandboxed, isolated, no Node in the page. */
export function createMainWindow(devServerUrl: string | undefined): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 1024,
    minHeight: 640,
    show: false,
    title: 'triton-live',
    autoHideMenuBar: true,
    webPreferences: {
      preload: join(__dirname, '../preload/index.js'),
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webviewTag: false,
      spellcheck: false,
    },
  })
  hardenWindow(win, devServerUrl)
  win.once('ready-to-show', () => win.show())
  // The built page comes from app://bundle (app-protocol.ts), never file://.
  void win.loadURL(devServerUrl ?? APP_PAGE_URL)
  return win
}
