import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron'
import { INVOKE_CHANNELS, type EventChannel, type EventPayloads } from '../../shared/ipc-contract'
import type { AppHandlers } from '../app/app-core'
import { isAppUrl } from '../app/app-origin'
import { dispatchInvoke } from '../app/ipc-dispatch'

/** Only the top-level frame of our own page (app://bundle, or the dev server) may call in. */
function trusted(event: IpcMainInvokeEvent, devServerUrl: string | undefined): boolean {
  try {
    const frame = event.senderFrame
    return Boolean(frame && frame.parent === null && isAppUrl(frame.url, devServerUrl))
  } catch {
    // A frame that went away while its message was in flight is not trusted.
    return false
  }
}

export function registerIpc(handlers: AppHandlers, devServerUrl: string | undefined): void {
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(channel, async (event, payload: unknown) => {
      if (!trusted(event, devServerUrl)) {
        return {
          ok: false,
          error: { message: 'request from an untrusted frame', hint: '', kind: 'forbidden' },
        }
      }
      return dispatchInvoke(handlers, channel, payload)
    })
  }
}

/** Events go to the window that exists; a closed window simply stops receiving. */
export function eventForwarder<C extends EventChannel>(
  channel: C,
  target: () => WebContents | undefined,
): (event: EventPayloads[C]) => void {
  return (event) => {
    const wc = target()
    if (wc && !wc.isDestroyed()) wc.send(channel, event)
  }
}
