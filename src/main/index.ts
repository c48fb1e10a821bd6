import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { app, BrowserWindow, dialog, session } from 'electron'
import { AppCore } from './app/app-core'
import { eventForwarder, registerIpc } from './electron/ipc-registration'
import { sessionPortOpener } from './electron/session-ports'
import { createMainWindow } from './electron/main-window'
import { MediaFiles } from './electron/media-protocol'
import { registerPrivilegedSchemes, serveAppBundle } from './electron/app-protocol'
import { safeStorageSecrets } from './electron/safe-storage-secrets'
import { hardenContents, hardenSession } from './electron/window-security'

// The Electron shell: wiring only. Everything it calls lives in plain modules under src/main.
const devServerUrl = process.env.ELECTRON_RENDERER_URL
let mainWindow: BrowserWindow | undefined

registerPrivilegedSchemes()
const media = new MediaFiles()

const FILTERS = {
  media: [
    {
      name: 'Audio and video',
      extensions: [
        'wav',
        'flac',
        'mp3',
        'ogg',
        'opus',
        'm4a',
        'aac',
        'mp4',
        'mkv',
        'mov',
        'webm',
        'avi',
        'y4m',
      ],
    },
    { name: 'All files', extensions: ['*'] },
  ],
  pem: [
    { name: 'PEM certificates and keys', extensions: ['pem', 'crt', 'cer', 'key'] },
    { name: 'All files', extensions: ['*'] },
  ],
  json: [{ name: 'Model profile', extensions: ['json'] }],
  labels: [
    { name: 'Label lists', extensions: ['txt', 'names', 'labels'] },
    { name: 'All files', extensions: ['*'] },
  ],
  data: [
    { name: 'NumPy arrays and raw tensor bytes', extensions: ['npy', 'bin', 'raw'] },
    { name: 'All files', extensions: ['*'] },
  ],
}

const windowContents = (): Electron.WebContents | undefined => mainWindow?.webContents
const services = new AppCore({
  dataDir: join(app.getPath('userData'), 'triton-live'),
  workRoot: join(tmpdir(), `triton-live-sessions-${process.pid}`),
  secrets: safeStorageSecrets,
  mediaUrlFor: (path) => media.urlFor(path),
  openSessionPort: sessionPortOpener(windowContents),
  onBenchProgress: eventForwarder('bench:progress', windowContents),
  onInferResponse: eventForwarder('models:infer-response', windowContents),
  saveFile: async (defaultName) => {
    const options = { defaultPath: join(app.getPath('documents'), defaultName) }
    const result = mainWindow
      ? await dialog.showSaveDialog(mainWindow, options)
      : await dialog.showSaveDialog(options)
    return result.canceled ? undefined : result.filePath
  },
  // What a dialog returns is granted to the window by the core (file-grants.ts).
  pickFile: async (kind) => {
    const options = { properties: ['openFile' as const], filters: FILTERS[kind] }
    const result = mainWindow
      ? await dialog.showOpenDialog(mainWindow, options)
      : await dialog.showOpenDialog(options)
    return result.canceled ? undefined : result.filePaths[0]
  },
})

// Any web contents, not only the main window's, stays on the app and opens no windows.
app.on('web-contents-created', (_event, contents) => hardenContents(contents, devServerUrl))

app.whenReady().then(() => {
  hardenSession(session.defaultSession, devServerUrl)
  serveAppBundle(join(__dirname, '../renderer'))
  media.handle()
  registerIpc(services.handlers, devServerUrl)
  mainWindow = createMainWindow(devServerUrl)
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createMainWindow(devServerUrl)
  })
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})

let disposed = false
app.on('before-quit', (event) => {
  if (disposed) return
  event.preventDefault()
  disposed = true
  void services.dispose().finally(() => app.quit())
})
