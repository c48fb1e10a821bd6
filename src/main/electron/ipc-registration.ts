import { ipcMain, type IpcMainEvent, type IpcMainInvokeEvent, type WebContents } from 'electron'
import { INVOKE_CHANNELS, SEND_CHANNELS, type SessionEvent } from '../../shared/ipc-contract'
import type { AppServices } from '../app/app-services'
import { dispatchInvoke, dispatchSend } from '../app/ipc-dispatch'
import { isAppUrl } from './window-security'

/** Only the top-level frame of our own page may call in. */
function trusted(
  event: IpcMainInvokeEvent | IpcMainEvent,
  devServerUrl: string | undefined,
): boolean {
  const frame = event.senderFrame
  return Boolean(frame && frame.parent === null && isAppUrl(frame.url, devServerUrl))
}

export function registerIpc(services: AppServices, devServerUrl: string | undefined): void {
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(channel, async (event, payload: unknown) => {
      if (!trusted(event, devServerUrl)) {
        return {
          ok: false,
          error: { message: 'request from an untrusted frame', hint: '', kind: 'forbidden' },
        }
      }
      return dispatchInvoke(services, channel, payload)
    })
  }
  for (const channel of SEND_CHANNELS) {
    ipcMain.on(channel, (event, payload: unknown) => {
      if (trusted(event, devServerUrl)) dispatchSend(services, channel, payload)
    })
  }
}

/** Session events go to the window that exists; a closed window simply stops receiving. */
export function eventForwarder(
  target: () => WebContents | undefined,
): (event: SessionEvent) => void {
  return (event) => {
    const wc = target()
    if (wc && !wc.isDestroyed()) wc.send('session:event', event)
  }
}
