import type { PeerCertificate } from 'node:tls'

/**
 * TLS failures in words that say which side is wrong and what to change: the one owner of
 * these words for the gRPC and HTTP clients and the doctor's TLS rung. grpc-js reports them as
 * UNAVAILABLE with OpenSSL's or Node's text inside; each known cause gets its own message, so a
 * rejected client certificate, an untrusted server certificate, a name mismatch and a port
 * without TLS never read alike.
 */

export interface TlsContext {
  /** The client dialled with TLS. */
  tls: boolean
  /** A client certificate was configured (mutual TLS). */
  clientCertificate: boolean
  /** The expected certificate name when it was set explicitly (--server-name). */
  serverName?: string
  /** Which scheme the advice names: grpc(s):// (the default) or http(s)://. */
  protocol?: 'grpc' | 'http'
}

export interface TlsExplanation {
  message: string
  hint: string
}

/** The marker our checkServerIdentity puts in its error, so the names survive grpc-js's wrapping. */
export function nameMismatchText(certificateNames: string, expected: string): string {
  return `certificate names [${certificateNames}] do not include '${expected}'`
}

/**
 * The names a certificate answers to, as Node lists them ('DNS:a, IP Address:1.2.3.4'), or its
 * common name when it has no subjectAltName.
 */
export function certificateNames(cert: PeerCertificate): string {
  return (cert.subjectaltname || (cert.subject?.CN ? `CN=${cert.subject.CN}` : '')).slice(0, 300)
}

/**
 * Node's verification codes (a TLS socket's authorizationError, undici's error codes) in
 * OpenSSL's words, which grpc-js reports: one text whichever path saw the failure.
 */
const VERIFY_CODES: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to verify the first certificate',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unable to get local issuer certificate',
  UNABLE_TO_GET_ISSUER_CERT: 'unable to get issuer certificate',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in certificate chain',
  CERT_SIGNATURE_FAILURE: 'certificate signature failure',
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
}

function readableCodes(text: string): string {
  return text.replace(/\b[A-Z][A-Z0-9_]{8,}\b/g, (code) => VERIFY_CODES[code] ?? code)
}

/**
 * OpenSSL's error line ("8030…:error:0A00010B:SSL routines:ssl3_get_record:wrong version
 * number:../deps/openssl/…:350:") reduced to its reason ("wrong version number").
 */
export function reduceTlsText(text: string): string {
  const openssl = /SSL routines:[^:]*:([^:]+)/.exec(text)
  if (openssl) return openssl[1].trim()
  return readableCodes(text)
    .replace(/^(Error:\s*)+/, '')
    .trim()
}

const NAME_MISMATCH = /certificate names \[([^\]]*)\] do not include '([^']*)'/
const UNTRUSTED =
  /unable to verify the first certificate|unable to get local issuer certificate|self[- ]signed certificate|UNABLE_TO_VERIFY_LEAF_SIGNATURE|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|certificate signature failure/i
const EXPIRED = /certificate has expired|CERT_HAS_EXPIRED/i
const NOT_YET_VALID = /certificate is not yet valid|CERT_NOT_YET_VALID/i
const CERT_REQUIRED = /alert certificate required|peer did not return a certificate/i
const CLIENT_CERT_REFUSED =
  /alert (bad certificate|unknown ca|certificate unknown|certificate revoked|certificate expired|unsupported certificate|access denied|decrypt error)/i
const HANDSHAKE_FAILURE = /alert handshake failure/i
const NOT_TLS =
  /wrong version number|packet length too long|http request|unknown protocol|record layer failure/i

/** The client certificate the server refused, or its absence: one message for either cause. */
export function clientCertificateProblem(
  target: string,
  required: boolean,
  reason?: string,
): TlsExplanation {
  if (required) {
    return {
      message: `${target} requires a client certificate (mutual TLS)`,
      hint: 'pass the client certificate and key with --cert and --key',
    }
  }
  return {
    message: `the server rejected the client certificate${reason ? ` (${reason})` : ''}`,
    hint: `check --cert/--key: ${target} accepts only a certificate signed by a CA it trusts, with its own key`,
  }
}

/** The URL to suggest: the same host and port with the scheme that fits. */
function withScheme(target: string, ctx: Pick<TlsContext, 'protocol'>, tls: boolean): string {
  const scheme = (ctx.protocol ?? 'grpc') + (tls ? 's' : '')
  return `${scheme}://${target.replace(/^[a-z]+:\/\//i, '')}`
}

export function speaksTlsProblem(
  target: string,
  ctx: Pick<TlsContext, 'protocol'> = {},
): TlsExplanation {
  return {
    message: `the server speaks TLS: ${target} answered a plaintext connection with nothing`,
    hint: `use ${withScheme(target, ctx, true)}`,
  }
}

export function notTlsProblem(
  target: string,
  ctx: Pick<TlsContext, 'protocol'> = {},
): TlsExplanation {
  return {
    message: `${target} does not speak TLS (the TLS handshake got a plaintext answer)`,
    hint: `use ${withScheme(target, ctx, false)}, or check that the port is the server's TLS port`,
  }
}

export function expiredProblem(target: string, validTo?: string): TlsExplanation {
  const day = validTo && Number.isFinite(Date.parse(validTo)) ? isoDay(validTo) : undefined
  return {
    message: `the certificate of ${target} has expired${day ? ` (on ${day})` : ''}`,
    hint: "renew the server's certificate, or check this machine's clock",
  }
}

function isoDay(date: string): string {
  return new Date(date).toISOString().slice(0, 10)
}

/** "DNS:a, IP Address:1.2.3.4" as "a, 1.2.3.4". */
export function readableNames(names: string): string {
  return names
    .split(/,\s*/)
    .map((n) => n.replace(/^(DNS|IP Address|IP|CN)[:=]/i, ''))
    .filter(Boolean)
    .join(', ')
}

/** A certificate that does not name the host dialled (or the --server-name given). */
export function nameMismatchProblem(
  target: string,
  certificateNames: string,
  expected: string,
  ctx: TlsContext,
): TlsExplanation {
  const names = readableNames(certificateNames) || 'no name'
  const fromFlag = ctx.serverName !== undefined && ctx.serverName === expected
  return {
    message: `the certificate of ${target} is for ${names}, not ${expected}${fromFlag ? ' (from --server-name)' : ''}`,
    hint: fromFlag
      ? 'set --server-name to a name on the certificate'
      : `connect by a name on the certificate, or pass --server-name ${names.split(', ')[0]}`,
  }
}

/** What a probe handshake (tls-probe.ts) says about a connection grpc-js could only call failed. */
export function explainProbeVerdict(
  verdict: string,
  target: string,
  ctx: TlsContext,
): TlsExplanation | undefined {
  if (!ctx.tls) {
    const tlsSpoken = ['speaks-tls', 'closed-after-handshake', 'client-certificate-required']
    return tlsSpoken.includes(verdict) || verdict === 'client-certificate-refused'
      ? speaksTlsProblem(target, ctx)
      : undefined
  }
  switch (verdict) {
    case 'client-certificate-required':
      return clientCertificateProblem(target, true)
    case 'client-certificate-refused':
    case 'closed-after-handshake':
      return clientCertificateProblem(target, !ctx.clientCertificate)
    case 'not-tls':
      return notTlsProblem(target, ctx)
    default:
      return undefined
  }
}

/** A specific explanation for a TLS failure, or undefined when the text names no known cause. */
export function explainTlsFailure(
  text: string,
  target: string,
  ctx: TlsContext,
): TlsExplanation | undefined {
  const details = readableCodes(text)
  const mismatch = NAME_MISMATCH.exec(details)
  if (mismatch) return nameMismatchProblem(target, mismatch[1], mismatch[2], ctx)
  if (/ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate's altnames/.test(details)) {
    return {
      message: `the certificate of ${target} does not name the host dialled`,
      hint: 'connect by a name on the certificate, or pass --server-name NAME',
    }
  }
  if (EXPIRED.test(details)) return expiredProblem(target)
  if (NOT_YET_VALID.test(details)) {
    return {
      message: `the certificate of ${target} is not valid yet`,
      hint: "check this machine's clock, or the certificate's start date",
    }
  }
  const untrusted = UNTRUSTED.exec(details)
  if (untrusted) {
    return {
      message: `the certificate of ${target} is not signed by a CA this client trusts (${untrusted[0]})`,
      hint: 'pass the CA that signed it with --ca; --insecure skips the check, for testing only',
    }
  }
  if (CERT_REQUIRED.test(details)) return clientCertificateProblem(target, true)
  const refused = CLIENT_CERT_REFUSED.exec(details)
  if (refused) return clientCertificateProblem(target, !ctx.clientCertificate, refused[1])
  if (HANDSHAKE_FAILURE.test(details)) {
    return {
      message: `${target} ended the TLS handshake (handshake failure)`,
      hint: ctx.clientCertificate
        ? 'the server may not accept this client certificate (--cert/--key) or its TLS version'
        : 'the server may require a client certificate (--cert and --key)',
    }
  }
  if (ctx.tls && NOT_TLS.test(details)) return notTlsProblem(target, ctx)
  return undefined
}

/** What a TLS handshake of the doctor's own saw of the server certificate. */
export interface CertificateFacts {
  /** Why the chain is not trusted (a Node code or OpenSSL text); undefined when it is. */
  trustError?: string
  /** The certificate's names (certificateNames). */
  names: string
  /** The name it was checked against: --server-name or the host. */
  expected: string
  nameMatches: boolean
  validTo: string
  daysLeft: number
}

/**
 * Every problem with a server certificate, in the clients' words, most fundamental first (trust,
 * then dates, then the name); empty when the certificate is fine.
 */
export function certificateProblems(
  facts: CertificateFacts,
  target: string,
  ctx: TlsContext,
): TlsExplanation[] {
  const problems: TlsExplanation[] = []
  const trust = facts.trustError
  if (trust && !/ALTNAME|does not match/i.test(trust)) {
    const known = explainTlsFailure(trust, target, ctx)
    problems.push(
      EXPIRED.test(readableCodes(trust))
        ? expiredProblem(target, facts.validTo)
        : (known ?? {
            message: `the certificate of ${target} is not trusted (${reduceTlsText(trust)})`,
            hint: 'pass the CA that signed it with --ca; --insecure skips the check, for testing only',
          }),
    )
  }
  if (facts.daysLeft < 0 && !problems.some((p) => /has expired/.test(p.message)))
    problems.push(expiredProblem(target, facts.validTo))
  if (!facts.nameMatches)
    problems.push(nameMismatchProblem(target, facts.names, facts.expected, ctx))
  return problems
}
