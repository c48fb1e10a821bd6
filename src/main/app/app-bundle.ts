import { readFile } from 'node:fs/promises'
import { extname, isAbsolute, relative, resolve } from 'node:path'
import { APP_HOST, APP_SCHEME } from './app-origin'
import { CONTENT_SECURITY_POLICY } from './content-security-policy'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
}

/**
 * The file under `rendererDir` that an app:// URL names, or undefined for anything else: another
 * scheme or host, a malformed escape, a NUL, a backslash, or a path that climbs out of the folder
 * (`..`, also when percent-encoded).
 */
export function bundleFile(rendererDir: string, url: string): string | undefined {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return undefined
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host.toLowerCase() !== APP_HOST) return undefined
  let path: string
  try {
    path = decodeURIComponent(u.pathname)
  } catch {
    return undefined
  }
  if (path.includes('\0') || path.includes('\\')) return undefined
  if (path === '' || path === '/') path = '/index.html'
  const root = resolve(rendererDir)
  const file = resolve(root, `.${path}`)
  const rel = relative(root, file)
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return undefined
  return file
}

function refusal(status: number): Response {
  return new Response(status === 405 ? 'method not allowed' : 'not found', {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
  })
}

/**
 * Answers one request for the app's own page and assets, with the Content-Security-Policy on
 * every response (a custom scheme's responses do not pass through the session's header hook).
 */
export async function bundleResponse(
  rendererDir: string,
  request: { url: string; method: string },
): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return refusal(405)
  const file = bundleFile(rendererDir, request.url)
  if (!file) return refusal(404)
  let body: Buffer
  try {
    body = await readFile(file)
  } catch {
    return refusal(404)
  }
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
    status: 200,
    headers: {
      'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
    },
  })
}
