import { contextBridge, ipcRenderer, webUtils } from 'electron'
import { createTritonLiveApi, type BridgeTransport } from '../shared/bridge-api'
import { SESSION_PORT_CHANNEL, type EventPayloads, type Result } from '../shared/ipc-contract'
import { SESSION_PORT_MESSAGE, type SessionPortEnvelope } from '../shared/session-port'

// The page gets one typed object; ipcRenderer itself never crosses the bridge.
const transport: BridgeTransport = {
  invoke: (channel, payload) => ipcRenderer.invoke(channel, payload),
  subscribe: (channel, listener) => {
    const handler = (_event: Electron.IpcRendererEvent, message: EventPayloads[typeof channel]) =>
      listener(message)
    ipcRenderer.on(channel, handler)
    return () => {
      ipcRenderer.off(channel, handler)
    }
  },
  // Why main may trust this path: with contextIsolation and the sandbox the page has no
  // ipcRenderer, and its API takes a File, never a path. webUtils gives a path only for a File
  // Chromium made from the user's drop or file chooser; a File the page builds itself has none.
  // So 'files:dropped' carries only paths the user handed the window. (A renderer compromised
  // below JavaScript could send anything; no grant can stop that, which is what the sandbox is for.)
  droppedFile: async (file) => {
    const path = webUtils.getPathForFile(file)
    if (!path) return { ok: true, value: undefined }
    const granted: Result<void> = await ipcRenderer.invoke('files:dropped', { path })
    return granted.ok ? { ok: true, value: path } : granted
  },
}

contextBridge.exposeInMainWorld('tritonLive', createTritonLiveApi(transport))

// A session's MessagePort cannot cross contextBridge; like VS Code, hand it to the page with
// window.postMessage. The page takes it only for a nonce it is waiting for.
ipcRenderer.on(SESSION_PORT_CHANNEL, (event, message: { sessionId: string; nonce: string }) => {
  const envelope: SessionPortEnvelope = {
    type: SESSION_PORT_MESSAGE,
    sessionId: String(message?.sessionId),
    nonce: String(message?.nonce),
  }
  window.postMessage(envelope, window.location.origin, event.ports)
})
