import { randomUUID } from 'node:crypto'
import {
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { extname, join, normalize, resolve } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { build } from 'vite'
import type { SessionEvent } from '../../../src/shared/session-events'
import type { RequestResponseEvent } from '../../../src/shared/single-request'
import type { SessionEventsMessage } from '../../../src/shared/session-port'
import { AppCore } from '../../../src/main/app/app-core'
import { CONTENT_SECURITY_POLICY } from '../../../src/main/app/content-security-policy'
import { dispatchInvoke, isInvokeChannel } from '../../../src/main/app/ipc-dispatch'
import type { MainSessionPort } from '../../../src/main/app/session-port-link'
import { testSecretStore } from '../../fixtures/test-secret-store'

export const ROOT = resolve(__dirname, '../../..')
export const RENDERER_DIR = join(ROOT, 'out/renderer')
export const ARTIFACTS = join(ROOT, 'test-artifacts')

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.wav': 'audio/wav',
  '.flac': 'audio/flac',
  '.mp3': 'audio/mpeg',
}

/** Serves a file with Range support, which <video> needs to seek. */
function serveFile(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  headers: Record<string, string> = {},
): void {
  const size = statSync(path).size
  const type = MIME[extname(path).toLowerCase()] ?? 'application/octet-stream'
  const range = /bytes=(\d*)-(\d*)/.exec(req.headers.range ?? '')
  if (range) {
    const start = range[1] ? Number(range[1]) : 0
    const end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1
    res.writeHead(206, {
      ...headers,
      'content-type': type,
      'accept-ranges': 'bytes',
      'content-range': `bytes ${start}-${end}/${size}`,
      'content-length': end - start + 1,
    })
    createReadStream(path, { start, end }).pipe(res)
    return
  }
  res.writeHead(200, {
    ...headers,
    'content-type': type,
    'accept-ranges': 'bytes',
    'content-length': size,
  })
  createReadStream(path).pipe(res)
}

let bridgeScript: string | undefined

/** Bundles page-bridge.ts (and the shared contract it imports) into one classic script. */
async function pageBridgeScript(): Promise<string> {
  if (bridgeScript) return bridgeScript
  const out = await build({
    configFile: false,
    logLevel: 'silent',
    build: {
      write: false,
      minify: false,
      lib: {
        entry: join(__dirname, 'page-bridge.ts'),
        formats: ['iife'],
        name: 'tritonLiveTestBridge',
        fileName: () => 'bridge.js',
      },
    },
  })
  const outputs = Array.isArray(out) ? out : [out]
  for (const o of outputs) {
    if ('output' in o) {
      const chunk = o.output.find((c) => c.type === 'chunk')
      if (chunk && chunk.type === 'chunk') {
        bridgeScript = chunk.code
        return bridgeScript
      }
    }
  }
  throw new Error('could not bundle the test bridge')
}

function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive)
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>
    if (v.__typed === 'i16' && typeof v.b64 === 'string') {
      const bytes = Buffer.from(v.b64, 'base64')
      return new Int16Array(
        bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      )
    }
    if (v.__typed === 'u8' && typeof v.b64 === 'string')
      return new Uint8Array(Buffer.from(v.b64, 'base64'))
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)]))
  }
  return value
}

export interface HarnessOptions {
  /** WAV that Chromium's fake microphone plays (looped). */
  fakeAudio?: string
  /** Y4M that Chromium's fake camera plays (looped). */
  fakeVideo?: string
  colorScheme?: 'light' | 'dark'
}

/**
 * The renderer as built for the app, in real Chromium, with the preload API bridged to the
 * real main-side services in this process and the demo endpoint on loopback.
 */
export class AppHarness {
  readonly services: AppCore
  readonly dataDir: string
  /** Every event of every session, as it was posted to the page. */
  readonly events: SessionEvent[] = []
  /** Every response of every single request (the Request view), as it was sent to the page. */
  readonly inferResponses: RequestResponseEvent[] = []
  private readonly ports = new Map<string, (message: unknown) => void>()
  page!: Page
  private browser!: Browser
  private context!: BrowserContext
  private server!: Server
  private base = ''
  private readonly media = new Map<string, string>()
  /** What the next `files:pick` returns, as if chosen in the open dialog (the core grants it). */
  nextPick: string | undefined
  /**
   * Where a file dropped on the page lives, by its name: the stand-in for the preload's
   * webUtils.getPathForFile. A name not here has no path, like a File the page made itself.
   */
  readonly dropPaths = new Map<string, string>()
  /** Where the save dialog saves, under the name the app proposes; cancelled when unset. */
  saveDir: string | undefined

  private constructor(private readonly options: HarnessOptions) {
    this.dataDir = mkdtempSync(join(tmpdir(), 'triton-live-e2e-'))
    this.services = new AppCore({
      dataDir: this.dataDir,
      workRoot: join(this.dataDir, 'sessions'),
      secrets: testSecretStore(),
      pickFile: async () => this.nextPick,
      saveFile: async (defaultName) => (this.saveDir ? join(this.saveDir, defaultName) : undefined),
      mediaUrlFor: (path) => {
        const token = randomUUID()
        this.media.set(token, path)
        return `${this.base}/media/${token}`
      },
      openSessionPort: (sessionId, nonce) => this.openPort(sessionId, nonce),
      onBenchProgress: (event) => {
        void this.page
          ?.evaluate((e) => window.__tritonLiveBenchProgress?.(e), event)
          .catch(() => undefined)
      },
      onInferResponse: (event) => {
        this.inferResponses.push(event)
        void this.page
          ?.evaluate((e) => window.__tritonLiveEvent?.('models:infer-response', e), event)
          .catch(() => undefined)
      },
    })
  }

  /**
   * A session's port, relayed to the real MessageChannel the page bridge opens: messages keep
   * their order through one promise chain, as they would on a MessagePort.
   */
  private openPort(sessionId: string, nonce: string): MainSessionPort {
    let chain: Promise<unknown> = this.page
      .evaluate(([id, n]) => window.__tritonLiveOpenPort?.(id, n), [sessionId, nonce] as const)
      .catch(() => undefined)
    const send = (fn: () => Promise<unknown>): void => {
      chain = chain.then(fn).catch(() => undefined)
    }
    return {
      post: (message: SessionEventsMessage) => {
        this.events.push(...message.events)
        send(() =>
          this.page.evaluate(([id, m]) => window.__tritonLivePortPost?.(id, m), [
            sessionId,
            message,
          ] as const),
        )
      },
      onMessage: (listener) => this.ports.set(sessionId, listener),
      close: () => {
        this.ports.delete(sessionId)
        send(() => this.page.evaluate((id) => window.__tritonLivePortClose?.(id), sessionId))
      },
    }
  }

  static async start(options: HarnessOptions = {}): Promise<AppHarness> {
    if (!existsSync(join(RENDERER_DIR, 'index.html'))) {
      throw new Error(`no built renderer at ${RENDERER_DIR}; run \`npm run build\` first`)
    }
    const h = new AppHarness(options)
    await h.listen()
    await h.launch()
    return h
  }

  private async listen(): Promise<void> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      if (url.pathname.startsWith('/media/')) {
        const path = this.media.get(url.pathname.slice('/media/'.length))
        if (!path) return void res.writeHead(404).end()
        return serveFile(req, res, path)
      }
      const rel = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, '')
      const file = join(RENDERER_DIR, rel === '/' ? 'index.html' : rel)
      if (!file.startsWith(RENDERER_DIR) || !existsSync(file) || statSync(file).isDirectory()) {
        return void res.writeHead(404).end()
      }
      serveFile(req, res, file, { 'content-security-policy': CONTENT_SECURITY_POLICY })
    })
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()))
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  private async launch(): Promise<void> {
    const args = [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
    ]
    if (this.options.fakeAudio)
      args.push(`--use-file-for-fake-audio-capture=${this.options.fakeAudio}`)
    if (this.options.fakeVideo)
      args.push(`--use-file-for-fake-video-capture=${this.options.fakeVideo}`)
    this.browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args,
    })
    this.context = await this.browser.newContext({
      viewport: { width: 1280, height: 800 },
      colorScheme: this.options.colorScheme ?? 'light',
      permissions: ['microphone', 'camera'],
    })
    await this.context.exposeBinding(
      '__tritonLiveInvoke',
      async (_source, channel: string, payload: unknown) => {
        if (!isInvokeChannel(channel))
          return {
            ok: false,
            error: { message: `unknown channel ${channel}`, hint: '', kind: 'invalid-payload' },
          }
        return dispatchInvoke(this.services.handlers, channel, revive(payload))
      },
    )
    // As the preload does: the path of a dropped File goes to main on 'files:dropped'.
    await this.context.exposeBinding('__tritonLiveDropped', async (_source, name: string) => {
      const path = this.dropPaths.get(name)
      if (!path) return { ok: true, value: undefined }
      const granted = await dispatchInvoke(this.services.handlers, 'files:dropped', { path })
      return granted.ok ? { ok: true, value: path } : granted
    })
    await this.context.exposeBinding(
      '__tritonLivePortMessage',
      async (_source, sessionId: string, message: unknown) => {
        this.ports.get(sessionId)?.(revive(message))
      },
    )
    await this.context.addInitScript({ content: await pageBridgeScript() })
    this.page = await this.context.newPage()
    this.page.on('pageerror', (e) => this.pageErrors.push(e.message))
    this.page.on('console', (m) => {
      if (m.type() === 'error') this.consoleErrors.push(m.text())
    })
    await this.page.goto(`${this.base}/index.html`)
  }

  readonly pageErrors: string[] = []
  readonly consoleErrors: string[] = []

  get baseUrl(): string {
    return this.base
  }

  async screenshot(name: string): Promise<string> {
    const dir = join(ARTIFACTS, 'screenshots')
    mkdirSync(dir, { recursive: true })
    const path = join(dir, `${name}.png`)
    await this.page.screenshot({ path })
    return path
  }

  async close(): Promise<void> {
    await this.context?.close().catch(() => undefined)
    await this.browser?.close().catch(() => undefined)
    await this.services.dispose()
    await new Promise<void>((r) => this.server?.close(() => r()))
    rmSync(this.dataDir, { recursive: true, force: true })
  }
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T
}
