import { readFileSync } from 'node:fs'
import type { Socket } from 'node:net'
import type { ConnectionOptions } from '../triton/connection-options'
import type { ParsedEndpoint } from '../triton/endpoint'
import type { CheckRunner } from './check-runner'
import { identifyHttpPort, sniffProtocol } from './protocol-probe'
import { connectTcp, ProbeError, probeTls, resolveName, type TlsFacts } from './socket-probes'

/**
 * The link rungs of the doctor: name, TCP, TLS, and whether the port speaks HTTP/2 at all.
 * Each rung is one check line; the first that fails fatally ends the run.
 */

export const WRONG_PORT =
  'this port speaks HTTP: Triton serves HTTP on 8000, gRPC on 8001, metrics on 8002'

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

function describeTls(t: TlsFacts, name: string): string {
  const expiry = `expires ${new Date(t.validTo).toISOString().slice(0, 10)} (${t.daysLeft} days)`
  return `subject ${t.subject}; issuer ${t.issuer}; ${expiry}; name ${name} ${t.nameMatches ? 'matches' : 'does not match'}`
}

async function tlsRung(
  runner: CheckRunner,
  ep: ParsedEndpoint,
  o: ConnectionOptions,
  address: string,
  timeoutMs: number,
): Promise<Socket | undefined> {
  const tls = typeof o.tls === 'object' ? o.tls : {}
  const name = tls.serverName ?? ep.host
  let socket: Socket | undefined
  await runner.check('TLS', async () => {
    const facts = await probeTls({
      host: address,
      port: ep.port,
      serverName: name,
      ca: readPem(tls.caFile, 'CA certificate'),
      cert: readPem(tls.certFile, 'client certificate'),
      key: readPem(tls.keyFile, 'client key'),
      insecure: tls.insecureSkipVerify,
      timeoutMs,
    })
    socket = facts.socket
    const detail = describeTls(facts, name)
    const problems = [
      facts.trusted ? '' : `not trusted (${facts.trustError ?? 'unknown issuer'})`,
      facts.nameMatches ? '' : `the certificate does not name '${name}'`,
      facts.daysLeft < 0 ? 'the certificate has expired' : '',
    ].filter(Boolean)
    if (problems.length === 0) return { status: facts.daysLeft < 14 ? 'warn' : 'ok', detail }
    if (tls.insecureSkipVerify)
      return {
        status: 'warn',
        detail: `${detail}; ${problems.join('; ')}`,
        hint: 'verification is off (--insecure): fine for a test, not for real use',
      }
    facts.socket.destroy()
    socket = undefined
    return {
      status: 'fail',
      fatal: true,
      detail: `${detail}; ${problems.join('; ')}`,
      hint: facts.nameMatches
        ? 'pass --ca with the CA that signed the server certificate (or --insecure for a test)'
        : 'connect by the name on the certificate, or pass --server-name with it',
    }
  })
  return socket
}

async function protocolRung(
  runner: CheckRunner,
  ep: ParsedEndpoint,
  socket: Socket,
  address: string,
  timeoutMs: number,
): Promise<void> {
  await runner.check('speaks HTTP/2', async () => {
    const alpn =
      'alpnProtocol' in socket
        ? (socket as { alpnProtocol?: string | false }).alpnProtocol
        : undefined
    if (alpn === 'h2') return { status: 'ok', detail: 'TLS ALPN chose h2' }
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
          hint: 'point --url at the gRPC port, usually 8001',
        }
      }
      case 'silent':
        return {
          status: 'fail',
          fatal: true,
          detail: 'the port accepted the connection but did not answer an HTTP/2 greeting',
          hint: ep.tls
            ? 'check that the server speaks gRPC over TLS on this port'
            : 'the server may expect TLS: try grpcs://',
        }
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

/** Runs the link rungs; true when the port speaks HTTP/2, so gRPC calls can follow. */
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
    await protocolRung(runner, ep, socket, address, timeoutMs)
  } finally {
    socket.destroy()
  }
  return !runner.halted
}
