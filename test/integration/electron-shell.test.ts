import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { CONTENT_SECURITY_POLICY } from '../../src/main/app/content-security-policy'
import { MAIN_BUNDLE, PRELOAD_BUNDLE, ROOT, requireFreshBuild } from '../fixtures/built-app'
import {
  INVOKE_CHANNELS,
  SESSION_PORT_CHANNEL,
  invokeSchemas,
  type InvokeChannel,
  type InvokePayload,
} from '../../src/shared/ipc-contract'
import {
  createElectronStandIn,
  loadWithStandIn,
  type ElectronStandIn,
  type FakeWebContents,
} from '../fixtures/electron-stand-in'

// The Electron shell as built (out/main/index.js, what `npm run build` makes), run under Node
// with a recording stand-in for the `electron` module: the windows it makes, the handlers it
// installs and what they answer. `npm test` builds before it runs the tests.

const BUNDLE = MAIN_BUNDLE
const PRELOAD = PRELOAD_BUNDLE
const APP_PAGE = 'app://bundle/index.html'
const SAMPLES = join(ROOT, 'resources/samples')

interface Frame {
  url: string
  parent: unknown
}
const APP_FRAME: Frame = { url: APP_PAGE, parent: null }

/** A payload each channel's schema accepts, so a refusal can only come from the sender check. */
const VALID: { [C in InvokeChannel]: InvokePayload<C> } = {
  'endpoints:list': undefined,
  'endpoints:save': { name: 'forged', url: 'grpc://127.0.0.1:8001' },
  'endpoints:remove': 'demo',
  'endpoints:health': 'demo',
  'endpoints:doctor': 'demo',
  'models:list': 'demo',
  'models:details': { endpointId: 'demo', model: 'm' },
  'models:save-profile': { endpointId: 'demo', model: 'm', profile: null },
  'models:load': { endpointId: 'demo', model: 'm' },
  'models:unload': { endpointId: 'demo', model: 'm' },
  'session:start': { endpointId: 'demo', model: 'm', source: 'microphone', nonce: 'n'.repeat(32) },
  'session:stop': 'x',
  'files:pick': { kind: 'media' },
  'files:dropped': { path: join(SAMPLES, 'tone-text.wav') },
  'metrics:poll': 'demo',
  'metrics:server-stats': { endpointId: 'demo', model: 'm' },
  'bench:run': { endpointId: 'demo', model: 'm', mode: 'concurrency', durationSec: 1 },
  'bench:cancel': undefined,
  'bench:export': { format: 'md' },
  'session:export': { sessionId: 'x', format: 'txt' },
  'models:infer': {
    endpointId: 'demo',
    model: 'm',
    requestId: 'r'.repeat(8),
    inputs: [{ name: 'TEXT', value: { kind: 'text', text: 'hi' } }],
  },
  'models:infer-cancel': { requestId: 'r'.repeat(8) },
}

const FOREIGN_URLS = [
  'https://evil.example/',
  'http://127.0.0.1:8000/index.html',
  `file://${join(ROOT, 'out/renderer/index.html')}`,
  'file:///etc/passwd',
  'app://evil/index.html',
  'app://bundle.evil.example/index.html',
  'app://user@bundle/index.html',
  'triton-media://file/x',
  'javascript:alert(1)',
  'data:text/html,<script>1</script>',
  'chrome://settings',
  'devtools://devtools/bundled/inspector.html',
  'about:blank',
]

type Answer = { ok: boolean; value?: unknown; error?: { message: string; kind: string } }

interface Shell {
  standIn: ElectronStandIn
  window: FakeWebContents
  userData: string
  restore(): void
  invoke(channel: string, payload: unknown, frame?: Frame | null): Promise<Answer>
}

async function startShell(devServerUrl?: string): Promise<Shell> {
  requireFreshBuild()
  const userData = mkdtempSync(join(tmpdir(), 'triton-live-shell-'))
  const standIn = createElectronStandIn(userData)
  const before = process.env.ELECTRON_RENDERER_URL
  if (devServerUrl) process.env.ELECTRON_RENDERER_URL = devServerUrl
  else delete process.env.ELECTRON_RENDERER_URL
  let restore: () => void
  try {
    restore = loadWithStandIn(BUNDLE, standIn.electron)
  } finally {
    if (before === undefined) delete process.env.ELECTRON_RENDERER_URL
    else process.env.ELECTRON_RENDERER_URL = before
  }
  standIn.ready()
  await vi.waitFor(() => expect(standIn.record.windows).toHaveLength(1))
  const window = standIn.record.windows[0].webContents
  return {
    standIn,
    window,
    userData,
    restore,
    invoke: async (channel, payload, frame = APP_FRAME) => {
      const handler = standIn.record.ipcHandlers.get(channel)
      if (!handler) throw new Error(`no handler for ${channel}`)
      return (await handler({ senderFrame: frame, sender: window }, payload)) as Answer
    },
  }
}

/** Quits as Electron would: before-quit, which the app holds until its core is disposed. */
async function quitShell(shell: Shell): Promise<void> {
  let prevented = false
  shell.standIn.app.emit('before-quit', { preventDefault: () => (prevented = true) })
  expect(prevented).toBe(true)
  await vi.waitFor(() => expect(shell.standIn.record.quit).toBe(1), { timeout: 10_000 })
  shell.restore()
  rmSync(shell.userData, { recursive: true, force: true })
}

describe('the built main process, under a recording stand-in for electron', () => {
  let shell: Shell
  beforeAll(async () => {
    shell = await startShell()
  })
  afterAll(async () => {
    if (shell) await quitShell(shell)
  })

  it('registers its schemes once before ready, then serves the page from app://bundle', async () => {
    const { record } = shell.standIn
    expect(record.privilegedSchemes).toHaveLength(1)
    const schemes = Object.fromEntries(record.privilegedSchemes[0].map((s) => [s.scheme, s]))
    expect(schemes.app.privileges).toEqual({ standard: true, secure: true, supportFetchAPI: true })
    expect(schemes['triton-media'].privileges).toMatchObject({ secure: true, stream: true })
    const at = (entry: string): number => record.log.indexOf(entry)
    expect(at('protocol.registerSchemesAsPrivileged')).toBeLessThan(at('ready'))
    expect(at('ready')).toBeLessThan(at('protocol.handle app'))
    expect(at('protocol.handle app')).toBeLessThan(at(`loadURL ${APP_PAGE}`))
    expect(record.windows[0].loaded).toEqual([APP_PAGE])
    expect(record.log.some((e) => e.startsWith('loadFile'))).toBe(false)

    const serve = record.protocolHandlers.get('app')!
    const get = (url: string, method = 'GET') => serve(new Request(url, { method }))
    const page = await get(APP_PAGE)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    const html = await page.text()
    expect(html).toBe(readFileSync(join(ROOT, 'out/renderer/index.html'), 'utf8'))
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)![1]
    const js = await get(`app://bundle/${script}`)
    expect(js.status).toBe(200)
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    for (const url of [
      'app://bundle/..%2f..%2fpackage.json',
      'app://bundle/assets/..%2F..%2F..%2Fpackage.json',
      'app://bundle/%2e%2e/%2e%2e/package.json',
      'app://bundle/..%5c..%5cpackage.json',
      'app://elsewhere/index.html',
    ]) {
      const r = await get(url)
      expect(r.status, url).toBe(404)
      expect(await r.text()).not.toContain('"name": "triton-live"')
    }
    expect((await get(APP_PAGE, 'POST')).status).toBe(405)

    const media = await record.protocolHandlers.get('triton-media')!(
      new Request('triton-media://file/not-a-token'),
    )
    expect(media.status).toBe(404)
    expect(record.fetched).toEqual([])

    // Responses from anywhere else (the dev server) get the CSP through the session's hook.
    const headers = await new Promise<unknown>((r) =>
      record.headersHandlers[0]({ responseHeaders: { 'x-a': ['1'] } }, r),
    )
    expect(headers).toEqual({
      responseHeaders: { 'x-a': ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    })
  })

  it('makes one window: sandboxed, isolated, no Node in the page or its workers, no webview', () => {
    const { options } = shell.standIn.record.windows[0]
    const prefs = options.webPreferences!
    expect(prefs).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webviewTag: false,
      preload: PRELOAD,
    })
    for (const weakening of [
      'webSecurity',
      'allowRunningInsecureContent',
      'experimentalFeatures',
      'enableBlinkFeatures',
      'nodeIntegrationInSubFrames',
      'partition',
      'session',
    ]) {
      expect(prefs[weakening], weakening).toBeUndefined()
    }
  })

  it('keeps every web contents on the app: navigations, redirects and frame navigations elsewhere are prevented', () => {
    const later = shell.standIn.createContents()
    for (const contents of [shell.window, later]) {
      for (const kind of ['will-navigate', 'will-redirect', 'will-frame-navigate'] as const) {
        for (const url of FOREIGN_URLS)
          expect(contents.navigate(kind, url), `${kind} ${url}`).toBe(true)
        expect(contents.navigate(kind, APP_PAGE)).toBe(false)
        expect(contents.navigate(kind, 'app://bundle/index.html#models')).toBe(false)
      }
      expect(contents.attachWebview('https://evil.example/')).toBe(true)
      expect(contents.attachWebview(APP_PAGE)).toBe(true)
    }
  })

  it('opens no window, and takes only allowlisted https links to the browser', () => {
    const { record } = shell.standIn
    const docs = 'https://docs.nvidia.com/deeplearning/triton-inference-server/user-guide/docs/'
    const repo = 'https://github.com/triton-inference-server/server'
    const refused = [
      ...FOREIGN_URLS,
      APP_PAGE,
      'http://docs.nvidia.com/',
      'https://docs.nvidia.com.evil.example/',
      'https://evil.example/?next=https://docs.nvidia.com',
      'https://user:pw@docs.nvidia.com/',
      'https://docs.nvidia.com:8443/',
      'smb://server/share',
      'ms-msdt:/id PCWDiagnostic',
    ]
    for (const url of [...refused, docs, repo]) expect(shell.window.open(url), url).toBe('deny')
    expect(record.openedExternally).toEqual([docs, repo])
    expect(shell.window.navigate('will-navigate', docs)).toBe(true)
    expect(record.openedExternally).toEqual([docs, repo, docs])
    expect(shell.window.navigate('will-redirect', repo)).toBe(true)
    expect(record.openedExternally).toHaveLength(3)
  })

  it('grants camera and microphone to the app alone, and nothing else to anyone', () => {
    const { record } = shell.standIn
    const request = (permission: string, requestingUrl: string, pageUrl = APP_PAGE): boolean => {
      let granted: boolean | undefined
      record.permissionRequestHandler!(
        { getURL: () => pageUrl },
        permission,
        (g) => (granted = g),
        { requestingUrl, isMainFrame: true, mediaTypes: ['audio', 'video'] },
      )
      return granted!
    }
    const check = (permission: string, origin: string): boolean =>
      record.permissionCheckHandler!({}, permission, origin, {})
    expect(request('media', APP_PAGE)).toBe(true)
    expect(request('media', '', APP_PAGE)).toBe(true)
    expect(check('media', 'app://bundle')).toBe(true)
    for (const url of FOREIGN_URLS) {
      expect(request('media', url), url).toBe(false)
      expect(request('media', '', url), url).toBe(false)
      expect(check('media', url), url).toBe(false)
    }
    for (const permission of [
      'geolocation',
      'notifications',
      'clipboard-read',
      'clipboard-sanitized-write',
      'display-capture',
      'openExternal',
      'midi',
      'midiSysex',
      'pointerLock',
      'fullscreen',
      'hid',
      'serial',
      'usb',
      'idle-detection',
      'storage-access',
      'unknown',
    ]) {
      expect(request(permission, APP_PAGE), permission).toBe(false)
      expect(check(permission, 'app://bundle'), permission).toBe(false)
    }
    expect(record.devicePermissionHandler!({ deviceType: 'usb', origin: 'app://bundle' })).toBe(
      false,
    )
  })

  it('has a validating handler for every channel of the IPC contract, and no other', async () => {
    const { record } = shell.standIn
    expect([...record.ipcHandlers.keys()].sort()).toEqual([...INVOKE_CHANNELS].sort())
    expect(record.ipcListeners).toEqual([])
    for (const channel of INVOKE_CHANNELS) {
      for (const bad of [
        42,
        JSON.parse('{"__proto__": {"polluted": true}, "kind": 7}'),
        'x'.repeat(70_000),
      ]) {
        const r = await shell.invoke(channel, bad)
        expect(r.ok, channel).toBe(false)
        expect(r.error!.kind, channel).toBe('invalid-payload')
        expect(r.error!.message).toMatch(new RegExp(`^invalid request to ${channel}: `))
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    const list = await shell.invoke('endpoints:list', undefined)
    expect(list.ok).toBe(true)
    expect((list.value as { id: string }[])[0].id).toBe('demo')
  })

  it("refuses every channel to a sender that is not the app's top frame, before its handler runs", async () => {
    const { record } = shell.standIn
    const destroyed = {
      get url(): string {
        throw new Error('Render frame was disposed before WebFrameMain could be accessed')
      },
      parent: null,
    }
    const frames: (Frame | null)[] = [
      { url: 'https://evil.example/', parent: null },
      { url: APP_PAGE, parent: { url: APP_PAGE } },
      { url: `file://${join(ROOT, 'out/renderer/index.html')}`, parent: null },
      { url: 'http://localhost:5173/', parent: null },
      destroyed,
      null,
    ]
    const listed = await shell.invoke('endpoints:list', undefined)
    for (const channel of INVOKE_CHANNELS) {
      expect(invokeSchemas[channel].safeParse(VALID[channel]).success, channel).toBe(true)
      for (const frame of frames) {
        const r = await shell.invoke(channel, VALID[channel], frame)
        expect(r, `${channel} from ${frame ? 'a foreign frame' : 'no frame'}`).toEqual({
          ok: false,
          error: { message: 'request from an untrusted frame', hint: '', kind: 'forbidden' },
        })
      }
    }
    // Nothing happened: no dialog opened, no endpoint saved, nothing dropped was granted.
    expect(record.openDialogs).toEqual([])
    expect(await shell.invoke('endpoints:list', undefined)).toEqual(listed)
    const start = await shell.invoke('session:start', {
      ...VALID['session:start'],
      source: 'file',
      filePath: VALID['files:dropped'].path,
    })
    expect(start.error?.kind).toBe('forbidden')
  })

  it('lets the window name a file only after its dialog chose it or the preload reported a drop', async () => {
    const { record } = shell.standIn
    const ca = join(SAMPLES, 'boxes.json')
    const save = () =>
      shell.invoke('endpoints:save', {
        name: 'tls',
        url: 'grpcs://triton.example:8001',
        tls: { enabled: true, caFile: ca },
      })
    expect((await save()).error).toEqual({
      message: 'the TLS CA file was not chosen in this window',
      hint: 'choose it with its "Choose…" button',
      kind: 'forbidden',
    })
    shell.standIn.nextOpen = ca
    expect(await shell.invoke('files:pick', { kind: 'pem' })).toEqual({ ok: true, value: ca })
    shell.standIn.nextOpen = undefined
    const dialog = record.openDialogs.at(-1)!
    expect(dialog.properties).toEqual(['openFile'])
    expect(dialog.filters).toContainEqual({
      name: 'PEM certificates and keys',
      extensions: ['pem', 'crt', 'cer', 'key'],
    })
    expect((await save()).ok).toBe(true)

    const wav = VALID['files:dropped'].path
    expect(await shell.invoke('files:dropped', { path: wav })).toEqual({ ok: true })
    const start = await shell.invoke('session:start', {
      endpointId: 'demo',
      model: 'tone-transcriber-streaming',
      source: 'file',
      filePath: wav,
      pace: 'fast',
      nonce: 'd'.repeat(32),
    })
    expect(start.ok, start.error?.message).toBe(true)
    const plan = start.value as { sessionId: string; mediaUrl: string }
    expect(plan.mediaUrl).toMatch(/^triton-media:\/\/file\/[0-9a-f-]{36}$/)
    await shell.invoke('session:stop', plan.sessionId)
  })

  it("posts each session's port to the window with the page's nonce, and drops junk from the page", async () => {
    const { record } = shell.standIn
    const nonce = 'p'.repeat(32)
    const posted = shell.window.posted.length
    const start = await shell.invoke('session:start', {
      endpointId: 'demo',
      model: 'tone-transcriber-streaming',
      source: 'microphone',
      nonce,
    })
    expect(start.ok, start.error?.message).toBe(true)
    const { sessionId } = start.value as { sessionId: string }
    const { port1, port2 } = record.channels.at(-1)!
    expect(shell.window.posted.slice(posted)).toEqual([
      { channel: SESSION_PORT_CHANNEL, message: { sessionId, nonce }, ports: [port2] },
    ])
    expect(port1.started).toBe(true)
    for (const junk of ['__proto__', { type: 'audio', seq: -1, samples: [1] }, null]) {
      port1.emit('message', { data: junk })
    }
    const stopped = await shell.invoke('session:stop', sessionId)
    expect(stopped.ok).toBe(true)
    await vi.waitFor(() => expect(port1.closed).toBe(true))
    const events = port1.messages.flatMap(
      (m) => (m as { events: { kind: string; state?: string }[] }).events,
    )
    expect(events.filter((e) => e.kind === 'ack')).toEqual([])
    expect(events.at(-1)).toMatchObject({ kind: 'status', state: 'stopped' })
  })
})

describe('the built main process under `npm run dev`', () => {
  let shell: Shell
  const dev = 'http://localhost:5173'
  beforeAll(async () => {
    shell = await startShell(`${dev}/`)
  })
  afterAll(async () => {
    if (shell) await quitShell(shell)
  })

  it("loads the dev server's page and trusts that origin as the app, nothing beside it", async () => {
    const { record } = shell.standIn
    expect(record.windows[0].loaded).toEqual([`${dev}/`])
    expect(shell.window.navigate('will-navigate', `${dev}/index.html`)).toBe(false)
    expect(shell.window.navigate('will-navigate', 'http://localhost:5174/')).toBe(true)
    expect(shell.window.navigate('will-redirect', 'http://127.0.0.1:5173/')).toBe(true)
    expect(
      (await shell.invoke('endpoints:list', undefined, { url: `${dev}/`, parent: null })).ok,
    ).toBe(true)
    const other = await shell.invoke('endpoints:list', undefined, {
      url: 'http://localhost:5174/',
      parent: null,
    })
    expect(other.error?.kind).toBe('forbidden')
    expect(record.permissionCheckHandler!({}, 'media', dev, {})).toBe(true)
    expect(record.permissionCheckHandler!({}, 'media', 'http://localhost:5174', {})).toBe(false)
  })
})

describe('the built preload, under the same stand-in', () => {
  type Api = Record<string, Record<string, (...args: unknown[]) => Promise<unknown>>>
  const invoked: { channel: string; payload: unknown }[] = []
  const exposed = new Map<string, unknown>()
  const listeners = new Map<string, (...args: unknown[]) => void>()
  // Chromium knows where a dropped File lives; a File the page made has no path.
  const dropped = new File(['RIFF'], 'tone-text.wav')
  const droppedPath = join(SAMPLES, 'tone-text.wav')
  let restore: () => void
  let api: Api

  beforeAll(() => {
    requireFreshBuild()
    restore = loadWithStandIn(PRELOAD, {
      contextBridge: {
        exposeInMainWorld: (name: string, value: unknown) => exposed.set(name, value),
      },
      ipcRenderer: {
        invoke: async (channel: string, payload: unknown) => {
          invoked.push({ channel, payload })
          return { ok: true, value: undefined }
        },
        on: (channel: string, listener: (...args: unknown[]) => void) =>
          listeners.set(channel, listener),
        off: () => undefined,
      },
      webUtils: { getPathForFile: (file: File) => (file === dropped ? droppedPath : '') },
    })
    api = exposed.get('tritonLive') as Api
  })
  afterAll(() => restore?.())

  it('hands the page one typed API, and nothing that can name a channel or a path', async () => {
    expect([...exposed.keys()]).toEqual(['tritonLive'])
    expect(Object.keys(api).sort()).toEqual([
      'bench',
      'endpoints',
      'exports',
      'files',
      'metrics',
      'models',
      'session',
    ])
    expect(Object.keys(api.files).sort()).toEqual(['dropped', 'pick'])
    await api.endpoints.remove('x')
    expect(invoked.at(-1)).toEqual({ channel: 'endpoints:remove', payload: 'x' })
    // Only the listed channels are reachable: no function takes a channel name.
    const sent = new Set<string>()
    for (const group of Object.values(api)) {
      for (const fn of Object.values(group)) {
        invoked.length = 0
        await fn('demo', 'm', null)
        invoked.forEach((c) => sent.add(c.channel))
      }
    }
    expect([...sent].every((c) => (INVOKE_CHANNELS as readonly string[]).includes(c))).toBe(true)
    expect(sent.has('files:dropped')).toBe(false)
  })

  it("tells main a dropped file's path only when Chromium knows it, never a path from the page", async () => {
    invoked.length = 0
    expect(await api.files.dropped(new File(['x'], '/etc/passwd'))).toEqual({
      ok: true,
      value: undefined,
    })
    expect(await api.files.dropped('/etc/passwd')).toEqual({ ok: true, value: undefined })
    expect(invoked).toEqual([])
    expect(await api.files.dropped(dropped)).toEqual({ ok: true, value: droppedPath })
    expect(invoked).toEqual([{ channel: 'files:dropped', payload: { path: droppedPath } }])
  })

  it("passes a session's port to the page with its nonce, for the page's own origin only", () => {
    const posts: unknown[][] = []
    const g = globalThis as { window?: unknown }
    g.window = {
      location: { origin: 'app://bundle' },
      postMessage: (...args: unknown[]) => posts.push(args),
    }
    try {
      const port = { name: 'port2' }
      listeners.get(SESSION_PORT_CHANNEL)!(
        { ports: [port] },
        { sessionId: 's1', nonce: 'n1', extra: 'x' },
      )
      expect(posts).toEqual([
        [
          { type: 'triton-live:session-port', sessionId: 's1', nonce: 'n1' },
          'app://bundle',
          [port],
        ],
      ])
    } finally {
      delete g.window
    }
  })
})
