import { readFileSync } from 'node:fs'
import type { Socket } from 'node:net'
import { displayUrl, type ParsedEndpoint } from '../../shared/endpoint-url'
import type { ConnectionOptions, TlsOptions } from '../triton/connection-options'
import {
  certificateProblems,
  clientCertificateProblem,
  explainProbeVerdict,
  explainTlsFailure,
  readableNames,
  type TlsContext,
  type TlsExplanation,
} from '../triton/tls-failure'
import { probeTls as probeTlsVerdict } from '../triton/tls-probe'
import type { CheckRunner, Outcome } from './check-runner'
import { classifyGreeting, identifyHttpPort, readSome, sniffProtocol } from './protocol-probe'
import { connectTcp, ProbeError, probeTls, resolveName, type TlsFacts } from './socket-probes'

/**
 * The link rungs of the doctor: name, TCP, TLS, and whether the port speaks the protocol the
 * URL asks for (HTTP/2 for gRPC, HTTP/1.1 for the HTTP/REST API). Each rung is one check line;
 * the first that fails fatally ends the run. TLS problems are told in the clients' words
 * (triton/tls-failure.ts), so `health` and the doctor never disagree about a certificate.
 */

export const WRONG_PORT =
  'this port speaks HTTP: Triton serves HTTP on 8000, gRPC on 8001, metrics on 8002'
export const GRPC_PORT =
  'this port speaks HTTP/2, as gRPC does: Triton serves HTTP on 8000, gRPC on 8001, metrics on 8002'

function readPem(path: string | undefined, what: string): Buffer | undefined {
  if (!path) return undefined
  try {
    return readFileSync(path)
  } catch (e) {
    throw new ProbeError(
      `cannot read the ${what} '${path}' (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
      `check the path of the ${what}`,
    )
  }
}

function tlsOptionsOf(o: ConnectionOptions): TlsOptions {
  return typeof o.tls === 'object' ? o.tls : {}
}

function contextOf(ep: ParsedEndpoint, tls: TlsOptions): TlsContext {
  return {
    tls: ep.tls,
    clientCertificate: Boolean(tls.certFile),
    serverName: tls.serverName,
    protocol: ep.protocol,
  }
}

/** The endpoint as the clients name it in their messages: host:port for gRPC, the URL for HTTP. */
function messageTarget(ep: ParsedEndpoint): string {
  return ep.protocol === 'http' ? displayUrl(ep) : ep.target
}

const day = (date: string): string =>
  Number.isFinite(Date.parse(date)) ? new Date(date).toISOString().slice(0, 10) : date

function describeCertificate(t: TlsFacts): string {
  const expiry =
    t.daysLeft < 0
      ? `expired ${day(t.validTo)} (${-t.daysLeft} days ago)`
      : `expires ${day(t.validTo)} (${t.daysLeft} days)`
  return `subject ${t.subject}; issuer ${t.issuer}; names ${readableNames(t.names) || 'none'}; ${expiry}`
}

function explained(problems: TlsExplanation[]): { detail: string; hint: string } {
  return {
    detail: problems.map((p) => p.message).join('; '),
    hint: [...new Set(problems.map((p) => p.hint))].join('; '),
  }
}

async function tlsRung(
  runner: CheckRunner,
  ep: ParsedEndpoint,
  o: ConnectionOptions,
  address: string,
  timeoutMs: number,
): Promise<Socket | undefined> {
  const tls = tlsOptionsOf(o)
  const name = tls.serverName ?? ep.host
  const context = contextOf(ep, tls)
  let socket: Socket | undefined
  await runner.check('TLS', async () => {
    const facts = await probeTls({
      host: address,
      port: ep.port,
      target: messageTarget(ep),
      context,
      // HTTP/1.1 first for the REST API, h2 too so a gRPC port completes and can be named.
      alpn: ep.protocol === 'http' ? ['http/1.1', 'h2'] : ['h2'],
      serverName: name,
      ca: readPem(tls.caFile, 'CA certificate'),
      cert: readPem(tls.certFile, 'client certificate'),
      key: readPem(tls.keyFile, 'client key'),
      insecure: tls.insecureSkipVerify,
      timeoutMs,
    })
    socket = facts.socket
    const about = describeCertificate(facts)
    const problems = certificateProblems(
      {
        trustError: facts.trusted ? undefined : (facts.trustError ?? 'unknown issuer'),
        names: facts.names,
        expected: name,
        nameMatches: facts.nameMatches,
        validTo: facts.validTo,
        daysLeft: facts.daysLeft,
      },
      messageTarget(ep),
      context,
    )
    if (problems.length === 0) {
      const detail = `${about}; name ${name} matches`
      return facts.daysLeft < 14
        ? { status: 'warn', detail, hint: "renew the server's certificate soon" }
        : { status: 'ok', detail }
    }
    const { detail, hint } = explained(problems)
    if (tls.insecureSkipVerify)
      return {
        status: 'warn',
        detail: `${about}; ${detail}`,
        hint: 'verification is off (--insecure): fine for a test, not for real use',
      }
    facts.socket.destroy()
    socket = undefined
    return { status: 'fail', fatal: true, detail: `${about}; ${detail}`, hint }
  })
  return socket
}

/**
 * A port that accepted the connection and said nothing: a TLS server met in plaintext, or one
 * that refused our client certificate after the handshake. One handshake of the clients' own
 * probe (triton/tls-probe.ts) tells, in the clients' words.
 */
async function silentPort(
  ep: ParsedEndpoint,
  o: ConnectionOptions,
  socketError: Error | undefined,
  timeoutMs: number,
): Promise<TlsExplanation | undefined> {
  const tls = tlsOptionsOf(o)
  const context = contextOf(ep, tls)
  const target = messageTarget(ep)
  if (socketError) {
    const known = explainTlsFailure(socketError.message, target, context)
    if (known) return known
  }
  const verdict = await probeTlsVerdict(ep, tls, timeoutMs)
  return (
    explainProbeVerdict(verdict, target, context) ??
    (ep.tls && verdict === 'closed-after-handshake'
      ? clientCertificateProblem(target, !context.clientCertificate)
      : undefined)
  )
}

/** Remembers the first error a socket reports while a rung reads from it. */
function watchErrors(socket: Socket): { error: Error | undefined } {
  const seen: { error: Error | undefined } = { error: undefined }
  socket.on('error', (e: Error) => (seen.error ??= e))
  return seen
}

/** The protocol TLS ALPN chose, on a TLS socket; undefined on plain TCP. */
function alpnOf(socket: Socket): string | false | undefined {
  return 'alpnProtocol' in socket
    ? (socket as { alpnProtocol?: string | false }).alpnProtocol
    : undefined
}

/** A port that accepted and said nothing: a known cause if the socket's error names one. */
async function silentOutcome(
  ep: ParsedEndpoint,
  o: ConnectionOptions,
  error: Error | undefined,
  timeoutMs: number,
  otherwise: { detail: string; hint: string },
): Promise<Outcome> {
  const known = await silentPort(ep, o, error, timeoutMs)
  if (known) return { status: 'fail', fatal: true, detail: known.message, hint: known.hint }
  return { status: 'fail', fatal: true, ...otherwise }
}

async function http2Rung(
  runner: CheckRunner,
  ep: ParsedEndpoint,
  o: ConnectionOptions,
  socket: Socket,
  address: string,
  timeoutMs: number,
): Promise<void> {
  await runner.check('speaks HTTP/2', async (): Promise<Outcome> => {
    const alpn = alpnOf(socket)
    if (alpn === 'h2') return { status: 'ok', detail: 'TLS ALPN chose h2' }
    const seen = watchErrors(socket)
    const spoken = await sniffProtocol(socket, timeoutMs)
    switch (spoken.protocol) {
      case 'h2':
        return { status: 'ok', detail: 'answered the HTTP/2 preface with SETTINGS' }
      case 'http1': {
        const looks = ep.tls ? undefined : await identifyHttpPort(address, ep.port, timeoutMs)
        const what =
          looks === 'triton-metrics'
            ? " (it serves Triton's metrics page)"
            : looks === 'triton-http'
              ? " (it serves Triton's HTTP/REST API)"
              : ''
        return {
          status: 'fail',
          fatal: true,
          detail: `${WRONG_PORT}${what}; it answered '${spoken.statusLine}'`,
          hint:
            looks === 'triton-http'
              ? `point --url at the gRPC port, usually 8001, or use --url http://${ep.target} to talk to this HTTP/REST API`
              : 'point --url at the gRPC port, usually 8001',
        }
      }
      case 'silent':
        return silentOutcome(ep, o, seen.error, timeoutMs, {
          detail: 'the port accepted the connection but did not answer an HTTP/2 greeting',
          hint: ep.tls
            ? 'check that the server speaks gRPC over TLS on this port'
            : 'check that the port is the gRPC port, usually 8001',
        })
      default:
        return {
          status: 'fail',
          fatal: true,
          detail: `the port answered with something that is not HTTP/2: ${spoken.firstBytes}`,
          hint: ep.tls ? 'check the port' : 'the server may expect TLS: try grpcs://',
        }
    }
  })
}

/** One HTTP/1.1 request for /v2/health/live on the open socket: any HTTP/1.1 answer passes. */
async function http1Rung(
  runner: CheckRunner,
  ep: ParsedEndpoint,
  o: ConnectionOptions,
  socket: Socket,
  timeoutMs: number,
): Promise<void> {
  await runner.check('speaks HTTP/1.1', async (): Promise<Outcome> => {
    const grpc = ep.tls ? 'grpcs' : 'grpc'
    const alpn = alpnOf(socket)
    if (alpn === 'h2') {
      return {
        status: 'fail',
        fatal: true,
        detail: `${GRPC_PORT}; TLS ALPN chose h2`,
        hint: `use --url ${grpc}://${ep.target} for gRPC, or point --url at the HTTP port`,
      }
    }
    const seen = watchErrors(socket)
    const host = o.authority ?? ep.target
    socket.write(
      `GET ${ep.basePath}/v2/health/live HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
    )
    const spoken = classifyGreeting(
      await readSome(socket, timeoutMs, (b) => b.length >= 9 || b.includes('\r\n')),
    )
    switch (spoken.protocol) {
      case 'http1':
        return { status: 'ok', detail: `answered '${spoken.statusLine}'` }
      case 'h2':
        return {
          status: 'fail',
          fatal: true,
          detail: `${GRPC_PORT}; it answered an HTTP/1.1 request with HTTP/2 frames`,
          hint: `use --url ${grpc}://${ep.target} for gRPC, or point --url at the HTTP port, usually 8000`,
        }
      case 'silent':
        return silentOutcome(ep, o, seen.error, timeoutMs, {
          detail: 'the port accepted the connection but did not answer an HTTP request',
          hint: 'check that the port is the HTTP port, usually 8000',
        })
      default:
        return {
          status: 'fail',
          fatal: true,
          detail: `the port answered with something that is not HTTP: ${spoken.firstBytes}`,
          hint: ep.tls ? 'check the port' : 'the server may expect TLS: try https://',
        }
    }
  })
}

/** Runs the link rungs; true when the port speaks the URL's protocol, so API calls can follow. */
export async function checkLink(
  runner: CheckRunner,
  ep: ParsedEndpoint,
  o: ConnectionOptions,
  timeoutMs: number,
): Promise<boolean> {
  let address = ep.host
  await runner.check('name resolves', async () => {
    const addresses = await resolveName(ep.host)
    address = addresses[0]
    return { status: 'ok', detail: addresses.join(', ') }
  })
  let socket: Socket | undefined
  await runner.check('TCP connects', async () => {
    socket = await connectTcp(address, ep.port, timeoutMs)
    return { status: 'ok', detail: `${address}:${ep.port}` }
  })
  if (runner.halted || !socket) return false
  if (ep.tls) {
    socket.destroy()
    socket = await tlsRung(runner, ep, o, address, timeoutMs)
    if (runner.halted || !socket) return false
  }
  try {
    if (ep.protocol === 'http') await http1Rung(runner, ep, o, socket, timeoutMs)
    else await http2Rung(runner, ep, o, socket, address, timeoutMs)
  } finally {
    socket.destroy()
  }
  return !runner.halted
}
