import { protocol } from 'electron'
import { bundleResponse } from '../app/app-bundle'
import { APP_SCHEME } from '../app/app-origin'
import { MEDIA_SCHEME } from './media-protocol'

/**
 * Must run once, before the app is ready: each call replaces the last list. app:// is a
 * standard, secure origin for the page, unlike file://, which would share an origin with every
 * local file; triton-media:// lets <video> stream and seek the files the user chose. Neither is
 * corsEnabled: that privilege would let other origins read them, and the page's own module
 * scripts are same-origin, so they need no CORS.
 */
export function registerPrivilegedSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
    {
      scheme: MEDIA_SCHEME,
      privileges: { stream: true, supportFetchAPI: true, secure: true, standard: true },
    },
  ])
}

/** Serves the built renderer at app://bundle/, nothing outside its folder. */
export function serveAppBundle(rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => bundleResponse(rendererDir, request))
}
