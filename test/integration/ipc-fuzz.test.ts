import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { isAbsolute, join, relative, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { AppCore } from '../../src/main/app/app-core'
import { dispatchInvoke } from '../../src/main/app/ipc-dispatch'
import type { MainSessionPort } from '../../src/main/app/session-port-link'
import {
  INVOKE_CHANNELS,
  invokeSchemas,
  type InvokeChannel,
  type Result,
} from '../../src/shared/ipc-contract'
import type { ModelProfile } from '../../src/shared/model-profile'
import { testSecretStore } from '../fixtures/test-secret-store'

// 10,000 hostile payloads, seeded, sent to every invoke channel through dispatchInvoke, the
// path the Electron shell's ipcMain handlers take (after a structured clone, as IPC does).
// Nothing may throw, every answer must be a typed refusal or a valid result, nothing may reach
// Object.prototype, and no path outside the grants may be accepted or read.

const SEED = 0x8_2024
const TOTAL = 10_000
const SAMPLES = resolve(__dirname, '../../resources/samples')
const GRANTED = join(SAMPLES, 'tone-text.wav')
const DETECTOR = 'color-box-detector-yolov8'
const NONCE = 'f'.repeat(32)

/** mulberry32: small, fast and the same on every machine. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

let dir: string
let dataDir: string
let canary: string
let canaryText: string
let core: AppCore
let dropCore: AppCore
const mediaUrls: string[] = []
let detectorProfile: ModelProfile

function makeCore(root: string, pick: () => string | undefined): AppCore {
  const port: MainSessionPort = {
    post: () => undefined,
    onMessage: () => undefined,
    close: () => undefined,
  }
  return new AppCore({
    dataDir: join(root, 'data'),
    workRoot: join(root, 'sessions'),
    secrets: testSecretStore(),
    pickFile: async () => pick(),
    mediaUrlFor: (path) => {
      mediaUrls.push(path)
      return 'triton-media://file/x'
    },
    saveFile: async () => undefined,
    openSessionPort: () => port,
    onBenchProgress: () => undefined,
    demoPorts: { port: 0, metricsPort: null },
  })
}

/**
 * The hostile values, built once: what a payload's fields become. `heavy` ones (a megabyte, a
 * hundred thousand elements, a thousand levels) cost real time to clone and check, so they are
 * drawn less often.
 */
function hostileAtoms(): { light: unknown[]; heavy: unknown[] } {
  const deepArray: unknown[] = []
  let cursor = deepArray
  for (let i = 0; i < 1000; i++) {
    const next: unknown[] = []
    cursor.push(next)
    cursor = next
  }
  let deepObject: Record<string, unknown> = { leaf: '/etc/passwd' }
  for (let i = 0; i < 1000; i++) deepObject = { a: deepObject }
  const manyKeys = Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`k${i}`, i]))
  const heavy = [
    'A'.repeat(1 << 20),
    '😀'.repeat(50_000),
    manyKeys,
    Array.from({ length: 100_001 }, () => 'label'),
    deepArray,
    deepObject,
  ]
  const light = [
    // strings: paths, URLs, escapes, sizes
    '',
    ' ',
    'a',
    '/etc/passwd',
    '/etc/shadow',
    '../../../../../../etc/passwd',
    '..\\..\\..\\Windows\\win.ini',
    'C:\\Windows\\win.ini',
    '\\\\server\\share\\secret.txt',
    '~/.ssh/id_rsa',
    '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    'file:///etc/passwd',
    `file://${canary}`,
    canary,
    `${dataDir}/../canary.txt`,
    `${dataDir}/../../${relative('/', canary)}`,
    `${canary}\0.wav`,
    `/${'a'.repeat(4095)}`,
    `/${'a'.repeat(5000)}`,
    '\u0000'.repeat(1000),
    '\u202egnp.exe',
    '\u001b]52;c;ZXZpbA==\u0007\u001b[2J',
    'Bearer x\r\nx-evil: 1',
    'grpc://169.254.169.254:80',
    'http://127.0.0.1:1/metrics',
    'javascript:alert(1)',
    '<img src=x onerror=alert(1)>',
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    '{"__proto__":{"polluted":"yes"}}',
    '😀'.repeat(500),
    // numbers
    0,
    -0,
    -1,
    1,
    0.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER + 2,
    2e9,
    60_000,
    Number.MIN_VALUE,
    // other values IPC can carry
    null,
    undefined,
    true,
    false,
    [],
    {},
    [null],
    [Number.NaN, '/etc/passwd'],
    new Date(Number.NaN),
    new Map([['__proto__', { polluted: 'yes' }]]),
    new Set(['/etc/passwd']),
    new Float32Array([Number.NaN, Infinity]),
    new Uint8Array(16),
    new ArrayBuffer(8),
    BigInt('123456789012345678901234567890'),
    /.*/,
    // prototype-shaped and oversized objects
    JSON.parse('{"__proto__":{"polluted":"yes"}}'),
    JSON.parse('{"constructor":{"prototype":{"polluted":"yes"}}}'),
    { constructor: { prototype: { polluted: 'yes' } } },
    { toString: 'x', valueOf: 1, hasOwnProperty: 'y' },
  ]
  return { light, heavy }
}

type Json = Record<string, unknown>

/** Payloads the channel's schema accepts, which the mutations start from. */
function templates(): Record<InvokeChannel, unknown[]> {
  const profile = { ...detectorProfile, labelsFile: GRANTED }
  return {
    'endpoints:list': [undefined],
    'endpoints:save': [
      {
        name: 'fuzz',
        url: 'grpc://127.0.0.1:1',
        tls: { enabled: true, caFile: GRANTED, certFile: GRANTED, keyFile: GRANTED },
        authHeader: 'x-api-key',
        token: 'secret-token',
        timeoutMs: 1000,
        metricsUrl: 'http://127.0.0.1:1/metrics',
        authority: 'triton.local',
      },
    ],
    'endpoints:remove': ['nope'],
    'endpoints:health': ['nope'],
    'endpoints:doctor': ['nope'],
    'models:list': ['demo'],
    'models:details': [{ endpointId: 'demo', model: 'no-such-model' }],
    'models:save-profile': [
      { endpointId: 'demo', model: DETECTOR, profile },
      { endpointId: 'demo', model: DETECTOR, profile: null },
    ],
    'models:load': [{ endpointId: 'demo', model: 'no-such-model' }],
    'models:unload': [{ endpointId: 'demo', model: 'no-such-model' }],
    'session:start': [
      {
        endpointId: 'demo',
        model: 'no-such-model',
        source: 'microphone',
        chunkMs: 100,
        nonce: NONCE,
      },
      {
        endpointId: 'demo',
        model: 'no-such-model',
        source: 'file',
        filePath: GRANTED,
        pace: 'fast',
        nonce: NONCE,
      },
      { endpointId: 'demo', model: 'no-such-model', source: 'camera', profile, nonce: NONCE },
    ],
    'session:stop': ['nope'],
    'models:infer': [
      {
        endpointId: 'demo',
        model: 'word-splitter-decoupled',
        requestId: 'fuzz-request-1',
        inputs: [{ name: 'TEXT', value: { kind: 'text', text: 'split these words' } }],
      },
      {
        endpointId: 'demo',
        model: 'no-such-model',
        requestId: 'fuzz-request-2',
        inputs: [{ name: 'TEXT', value: { kind: 'file', path: GRANTED } }],
      },
    ],
    'models:infer-cancel': [{ requestId: 'fuzz-request-1' }],
    'files:pick': [{ kind: 'media' }],
    'files:dropped': [{ path: GRANTED }],
    'metrics:poll': ['nope'],
    'metrics:server-stats': [{ endpointId: 'demo', model: 'no-such-model' }],
    'bench:run': [
      {
        endpointId: 'nope',
        model: 'no-such-model',
        mode: 'rate',
        rate: 1,
        durationSec: 0.1,
        filePath: GRANTED,
        compare: { model: 'other' },
      },
    ],
    'bench:cancel': [undefined],
    'bench:export': [{ format: 'md' }],
    'session:export': [{ sessionId: 'nope', format: 'txt' }],
  }
}

/** Every place in a value a mutation can hit: [] is the value itself. */
function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(prefix)
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out))
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out)
  }
  return out
}

function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value
  const parent = path.slice(0, -1).reduce<unknown>((node, key) => (node as Json)[key], root)
  Object.defineProperty(parent as object, path[path.length - 1], {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  })
  return root
}

function generate(
  next: () => number,
  { light, heavy }: { light: unknown[]; heavy: unknown[] },
  bases: unknown[],
): unknown {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]
  const atom = (): unknown => (next() < 0.02 ? pick(heavy) : pick(light))
  const atoms = [...light, ...heavy]
  const roll = next()
  if (roll < 0.15) return atom()
  const base = pick(bases)
  if (base === undefined) return atom()
  // Places are taken from the template, never from inside an atom already put in: atoms are
  // shared, so writing into one would change every later payload (and could make a cycle).
  let out: unknown = structuredClone(base)
  const places = paths(base)
  const mutations = roll < 0.8 ? 1 : 1 + Math.floor(next() * 3)
  for (let m = 0; m < mutations; m++) {
    const where = pick(places)
    const node = where.reduce<unknown>(
      (n, k) => (n && typeof n === 'object' && !atoms.includes(n) ? (n as Json)[k] : undefined),
      out,
    )
    if (next() < 0.25) {
      // An extra key where the schema has none, often one that names the prototype.
      if (!node || typeof node !== 'object' || atoms.includes(node)) continue
      const key = pick(['__proto__', 'constructor', 'prototype', 'extra', 'labelsFile', 'filePath'])
      setAt(node, [key], atom())
    } else if (where.length === 0) {
      out = atom()
    } else {
      const parent = where
        .slice(0, -1)
        .reduce<unknown>(
          (n, k) => (n && typeof n === 'object' && !atoms.includes(n) ? (n as Json)[k] : undefined),
          out,
        )
      if (!parent || typeof parent !== 'object' || atoms.includes(parent)) continue
      setAt(parent, [where[where.length - 1]], atom())
    }
  }
  return out
}

/** What each channel's answer is when it succeeds. */
const profileShape = z.object({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  hasToken: z.boolean(),
  builtInDemo: z.boolean(),
})
const RESULT_SHAPES: Record<InvokeChannel, z.ZodType> = {
  'endpoints:list': z.array(profileShape),
  'endpoints:save': profileShape,
  'endpoints:remove': z.undefined(),
  'endpoints:health': z.object({ endpointId: z.string(), live: z.boolean() }),
  'endpoints:doctor': z.object({ checks: z.array(z.object({ name: z.string() })) }),
  'models:list': z.array(z.object({ name: z.string(), state: z.string() })),
  'models:details': z.object({ name: z.string(), inputs: z.array(z.unknown()) }),
  'models:save-profile': z.object({ name: z.literal(DETECTOR), profileSaved: z.boolean() }),
  'models:load': z.undefined(),
  'models:unload': z.undefined(),
  'session:start': z.object({ sessionId: z.string() }),
  'session:stop': z.undefined(),
  'files:pick': z.undefined(),
  'files:dropped': z.undefined(),
  'metrics:poll': z.object({ endpointId: z.string() }),
  'metrics:server-stats': z.null(),
  'bench:run': z.object({ runs: z.array(z.unknown()) }),
  'bench:cancel': z.undefined(),
  'bench:export': z.undefined(),
  'session:export': z.undefined(),
  'models:infer': z.object({ requestId: z.string(), responses: z.array(z.unknown()) }),
  'models:infer-cancel': z.undefined(),
}

/** The grant rule, restated here: granted in this run, or under the files folder of the data folder. */
function allowed(path: string): boolean {
  if (!isAbsolute(path) || path.includes('\0')) return false
  const p = resolve(path)
  const rel = relative(join(dataDir, 'files'), p)
  return p === GRANTED || (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel))
}

/** The paths a schema-valid payload names, by the fields the contract reserves for files. */
function namedPaths(channel: InvokeChannel, parsed: unknown): string[] {
  const p = parsed as Json | undefined
  const fields: unknown[] =
    channel === 'session:start'
      ? [p?.filePath, (p?.profile as Json | undefined)?.labelsFile]
      : channel === 'bench:run'
        ? [p?.filePath]
        : channel === 'endpoints:save'
          ? ['caFile', 'certFile', 'keyFile'].map((k) => (p?.tls as Json | undefined)?.[k])
          : channel === 'models:save-profile'
            ? [(p?.profile as Json | null | undefined)?.labelsFile]
            : channel === 'models:infer'
              ? ((p?.inputs as Json[] | undefined) ?? []).map((i) => (i.value as Json)?.path)
              : []
  return fields.filter((f): f is string => typeof f === 'string' && f.length > 0)
}

interface Tally {
  tried: number
  accepted: number
  refused: Record<string, number>
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'triton-live-fuzz-'))
  dataDir = join(dir, 'a', 'data')
  mkdirSync(join(dir, 'outside'), { recursive: true })
  canary = join(dir, 'outside', 'canary.txt')
  canaryText = `CANARY-${process.pid}-${SEED}`
  writeFileSync(canary, `${canaryText}\n`)
  let pickOnce: string | undefined = GRANTED
  core = makeCore(join(dir, 'a'), () => {
    const p = pickOnce
    pickOnce = undefined
    return p
  })
  // The one file the user chose in this run, through the dialog.
  expect(await dispatchInvoke(core.handlers, 'files:pick', { kind: 'media' })).toEqual({
    ok: true,
    value: GRANTED,
  })
  dropCore = makeCore(join(dir, 'b'), () => undefined)
  const details = await dispatchInvoke(core.handlers, 'models:details', {
    endpointId: 'demo',
    model: DETECTOR,
  })
  if (!details.ok) throw new Error(details.error.message)
  const { labels: _labels, ...profile } = details.value.profile!
  detectorProfile = profile
})

afterAll(async () => {
  await core?.dispose()
  await dropCore?.dispose()
  rmSync(dir, { recursive: true, force: true })
})

describe('IPC fuzz: 10,000 hostile payloads over every invoke channel', () => {
  it('answers each with a typed refusal or a valid result, pollutes nothing and reads no file outside the grants', async () => {
    const next = rng(SEED)
    const atoms = hostileAtoms()
    const bases = templates()
    const prototypes = [Object.prototype, Array.prototype, Function.prototype, String.prototype]
    const before = prototypes.map((p) => Object.getOwnPropertyNames(p).sort())
    const tallies = new Map<InvokeChannel, Tally>(
      INVOKE_CHANNELS.map((c) => [c, { tried: 0, accepted: 0, refused: {} }]),
    )
    const throws: string[] = []
    const wrong: string[] = []
    const leaks: string[] = []
    const perChannel = Math.floor(TOTAL / INVOKE_CHANNELS.length)

    for (const [i, channel] of INVOKE_CHANNELS.entries()) {
      const count = i < TOTAL % INVOKE_CHANNELS.length ? perChannel + 1 : perChannel
      // A drop is a grant by design, so drops go to a core of their own: they cannot widen the
      // grants the other channels are judged by.
      const target = channel === 'files:dropped' ? dropCore : core
      const tally = tallies.get(channel)!
      for (let n = 0; n < count; n++) {
        // What crosses IPC is a structured clone of what the page sent.
        const payload = structuredClone(generate(next, atoms, bases[channel]))
        const parsed = invokeSchemas[channel].safeParse(payload)
        let answer: Result<unknown>
        try {
          answer = await dispatchInvoke(target.handlers, channel, payload)
        } catch (e) {
          throws.push(`${channel}: ${(e as Error).message}`)
          continue
        }
        tally.tried++
        const text =
          JSON.stringify(answer, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)) ?? ''
        if (text.includes(canaryText) || text.includes('root:x:0:0'))
          leaks.push(`${channel}: ${text.slice(0, 200)}`)
        if (answer.ok) {
          tally.accepted++
          if (!RESULT_SHAPES[channel].safeParse(answer.value).success) {
            wrong.push(`${channel} accepted with a malformed result: ${text.slice(0, 200)}`)
          }
        } else {
          const { message, hint, kind } = answer.error
          tally.refused[kind] = (tally.refused[kind] ?? 0) + 1
          const clean = (s: unknown): boolean =>
            typeof s === 'string' &&
            s.length <= 1000 &&
            ![...s].some((ch) => {
              const c = ch.codePointAt(0)!
              return c < 0x20 || (c >= 0x7f && c <= 0x9f)
            })
          if (!clean(message) || !message || !clean(hint) || typeof kind !== 'string') {
            wrong.push(
              `${channel} refused with a bad line: ${JSON.stringify(answer.error).slice(0, 300)}`,
            )
          }
          if (kind === 'internal') wrong.push(`${channel} failed inside: ${message}`)
          if (!parsed.success && kind !== 'invalid-payload') {
            wrong.push(`${channel}: a payload the schema refuses got '${kind}'`)
          }
        }
        if (parsed.success && target === core) {
          const outside = namedPaths(channel, parsed.data).filter((p) => !allowed(p))
          if (outside.length > 0 && (answer.ok || answer.error.kind !== 'forbidden')) {
            wrong.push(
              `${channel} did not refuse ${JSON.stringify(outside).slice(0, 200)}: ${text.slice(0, 200)}`,
            )
          }
        }
      }
    }

    const rows = [...tallies].map(([channel, t]) => ({
      channel,
      tried: t.tried,
      refused: t.tried - t.accepted,
      accepted: t.accepted,
      'refused by kind': Object.entries(t.refused)
        .map(([k, n]) => `${k} ${n}`)
        .join(', '),
    }))
    const tried = rows.reduce((s, r) => s + r.tried, 0)
    const refused = rows.reduce((s, r) => s + r.refused, 0)
    console.log(
      `IPC fuzz (seed ${SEED}): ${tried} payloads tried, ${refused} refused, ${tried - refused} accepted, ${throws.length} threw`,
    )
    console.table(rows)

    expect(throws).toEqual([])
    expect(wrong).toEqual([])
    expect(leaks).toEqual([])
    expect(tried).toBe(TOTAL)
    expect(prototypes.map((p) => Object.getOwnPropertyNames(p).sort())).toEqual(before)
    expect('polluted' in {}).toBe(false)
    // No path but the chosen one was ever handed out as media.
    expect(mediaUrls.every((p) => p === GRANTED)).toBe(true)
  }, 120_000)

  it('refuses the labelsFile /etc/passwd and an un-granted media file, saying nothing about either', async () => {
    const refusalOf = async (channel: InvokeChannel, payload: unknown) => {
      const r = await dispatchInvoke(core.handlers, channel, payload)
      expect(r.ok).toBe(false)
      return r.ok ? undefined : r.error
    }
    const passwd = await refusalOf('models:save-profile', {
      endpointId: 'demo',
      model: DETECTOR,
      profile: { ...detectorProfile, labelsFile: '/etc/passwd' },
    })
    const missing = await refusalOf('models:save-profile', {
      endpointId: 'demo',
      model: DETECTOR,
      profile: { ...detectorProfile, labelsFile: '/nonexistent/labels.txt' },
    })
    expect(passwd?.kind).toBe('forbidden')
    expect(missing).toEqual(passwd)
    const media = (filePath: string) =>
      refusalOf('session:start', {
        endpointId: 'demo',
        model: 'tone-transcriber-streaming',
        source: 'file',
        filePath,
        nonce: NONCE,
      })
    const existing = await media(join(SAMPLES, 'tone-text-48k.flac'))
    expect(existing?.kind).toBe('forbidden')
    expect(await media('/nonexistent/clip.wav')).toEqual(existing)
    expect(await media(`${GRANTED}/../tone-text-48k.flac`)).toEqual(existing)
  })
})
