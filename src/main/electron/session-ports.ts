import { MessageChannelMain, type WebContents } from 'electron'
import { SESSION_PORT_CHANNEL } from '../../shared/ipc-contract'
import type { MainSessionPort } from '../app/session-port-link'

/**
 * Opens a MessageChannelMain per session and posts one end to the window with the page's
 * nonce (the preload hands it to the page); main keeps the other end.
 */
export function sessionPortOpener(
  target: () => WebContents | undefined,
): (sessionId: string, nonce: string) => MainSessionPort {
  return (sessionId, nonce) => {
    const { port1, port2 } = new MessageChannelMain()
    const wc = target()
    if (wc && !wc.isDestroyed()) wc.postMessage(SESSION_PORT_CHANNEL, { sessionId, nonce }, [port2])
    port1.start()
    return {
      post: (message) => port1.postMessage(message),
      onMessage: (listener) => port1.on('message', (e) => listener(e.data)),
      close: () => port1.close(),
    }
  }
}
