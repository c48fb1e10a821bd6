/**
 * TLS failures in words that say which side is wrong and what to change. grpc-js reports them
 * as UNAVAILABLE with OpenSSL's or Node's text inside; each known cause gets its own message,
 * so a rejected client certificate, an untrusted server certificate, a name mismatch and a
 * port without TLS never read alike.
 */

export interface TlsContext {
  /** The client dialled with TLS. */
  tls: boolean
  /** A client certificate was configured (mutual TLS). */
  clientCertificate: boolean
  /** The expected certificate name when it was set explicitly (--server-name). */
  serverName?: string
}

export interface TlsExplanation {
  message: string
  hint: string
}

/** The marker our checkServerIdentity puts in its error, so the names survive grpc-js's wrapping. */
export function nameMismatchText(certificateNames: string, expected: string): string {
  return `certificate names [${certificateNames}] do not include '${expected}'`
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

export function speaksTlsProblem(target: string): TlsExplanation {
  return {
    message: `the server speaks TLS: ${target} answered a plaintext connection with nothing`,
    hint: `use grpcs://${target}`,
  }
}

export function notTlsProblem(target: string): TlsExplanation {
  return {
    message: `${target} does not speak TLS (the TLS handshake got a plaintext answer)`,
    hint: `use grpc://${target}, or check that the port is the server's TLS port`,
  }
}

function readableNames(names: string): string {
  return names
    .split(/,\s*/)
    .map((n) => n.replace(/^(DNS|IP Address|IP|CN)[:=]/i, ''))
    .filter(Boolean)
    .join(', ')
}

function nameMismatch(target: string, m: RegExpExecArray, ctx: TlsContext): TlsExplanation {
  const names = readableNames(m[1]) || 'no name'
  const fromFlag = ctx.serverName !== undefined && ctx.serverName === m[2]
  return {
    message: `the certificate of ${target} is for ${names}, not ${m[2]}${fromFlag ? ' (from --server-name)' : ''}`,
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
      ? speaksTlsProblem(target)
      : undefined
  }
  switch (verdict) {
    case 'client-certificate-required':
      return clientCertificateProblem(target, true)
    case 'client-certificate-refused':
    case 'closed-after-handshake':
      return clientCertificateProblem(target, !ctx.clientCertificate)
    case 'not-tls':
      return notTlsProblem(target)
    default:
      return undefined
  }
}

/** A specific explanation for a TLS failure, or undefined when the text names no known cause. */
export function explainTlsFailure(
  details: string,
  target: string,
  ctx: TlsContext,
): TlsExplanation | undefined {
  const mismatch = NAME_MISMATCH.exec(details)
  if (mismatch) return nameMismatch(target, mismatch, ctx)
  if (/ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate's altnames/.test(details)) {
    return {
      message: `the certificate of ${target} does not name the host dialled`,
      hint: 'connect by a name on the certificate, or pass --server-name NAME',
    }
  }
  if (EXPIRED.test(details)) {
    return {
      message: `the certificate of ${target} has expired`,
      hint: "renew the server's certificate, or check this machine's clock",
    }
  }
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
  if (ctx.tls && NOT_TLS.test(details)) return notTlsProblem(target)
  return undefined
}
