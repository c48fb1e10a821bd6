import { randomUUID } from 'node:crypto'
import { pathToFileURL } from 'node:url'
import { net, protocol } from 'electron'

export const MEDIA_SCHEME = 'triton-media'

/**
 * Serves only files the user chose for a session, each under an unguessable token, so the
 * page cannot read arbitrary paths through this scheme.
 */
export class MediaFiles {
  private readonly allowed = new Map<string, string>()

  urlFor(path: string): string {
    const token = randomUUID()
    this.allowed.set(token, path)
    return `${MEDIA_SCHEME}://file/${token}`
  }

  handle(): void {
    protocol.handle(MEDIA_SCHEME, (request) => {
      const token = new URL(request.url).pathname.replace(/^\//, '')
      const path = this.allowed.get(token)
      if (!path) return new Response('not found', { status: 404 })
      return net.fetch(pathToFileURL(path).toString(), { headers: request.headers })
    })
  }
}
