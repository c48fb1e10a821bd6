import { contextBridge, ipcRenderer, webUtils } from 'electron'
import { createTritonLiveApi, type BridgeTransport } from '../shared/bridge-api'
import type { SessionEvent } from '../shared/ipc-contract'

// The page gets one typed object; ipcRenderer itself never crosses the bridge.
const transport: BridgeTransport = {
  invoke: (channel, payload) => ipcRenderer.invoke(channel, payload),
  send: (channel, payload) => ipcRenderer.send(channel, payload),
  subscribe: (channel, listener) => {
    const handler = (_event: Electron.IpcRendererEvent, message: SessionEvent): void =>
      listener(message)
    ipcRenderer.on(channel, handler)
    return () => {
      ipcRenderer.off(channel, handler)
    }
  },
  pathForFile: (file) => webUtils.getPathForFile(file) || undefined,
}

contextBridge.exposeInMainWorld('tritonLive', createTritonLiveApi(transport))
