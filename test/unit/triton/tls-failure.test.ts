import { describe, expect, it } from 'vitest'
import {
  certificateProblems,
  explainTlsFailure,
  reduceTlsText,
} from '../../../src/main/triton/tls-failure'

const grpc = { tls: true, clientCertificate: false }

describe('TLS words shared by the clients and the doctor', () => {
  it("reduces OpenSSL's error line to its reason, and Node's codes to OpenSSL's words", () => {
    expect(
      reduceTlsText(
        '807C90BD6F7F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:350:',
      ),
    ).toBe('wrong version number')
    expect(reduceTlsText('Error: UNABLE_TO_VERIFY_LEAF_SIGNATURE')).toBe(
      'unable to verify the first certificate',
    )
  })

  it('reads a verification code as the clients read the text grpc-js reports', () => {
    expect(explainTlsFailure('CERT_HAS_EXPIRED', 'h:1', grpc)?.message).toBe(
      'the certificate of h:1 has expired',
    )
    expect(explainTlsFailure('DEPTH_ZERO_SELF_SIGNED_CERT', 'h:1', grpc)?.message).toBe(
      'the certificate of h:1 is not signed by a CA this client trusts (self-signed certificate)',
    )
  })

  it('lists every problem of a certificate, trust first, naming its names and its expiry day', () => {
    const problems = certificateProblems(
      {
        trustError: 'CERT_HAS_EXPIRED',
        names: 'DNS:triton.internal, IP Address:10.0.0.7',
        expected: 'gpu-box',
        nameMatches: false,
        validTo: 'Feb  1 00:00:00 2020 GMT',
        daysLeft: -2500,
      },
      'gpu-box:8001',
      grpc,
    )
    expect(problems).toEqual([
      {
        message: 'the certificate of gpu-box:8001 has expired (on 2020-02-01)',
        hint: "renew the server's certificate, or check this machine's clock",
      },
      {
        message: 'the certificate of gpu-box:8001 is for triton.internal, 10.0.0.7, not gpu-box',
        hint: 'connect by a name on the certificate, or pass --server-name triton.internal',
      },
    ])
    expect(
      certificateProblems(
        { names: 'DNS:a', expected: 'a', nameMatches: true, validTo: '', daysLeft: 30 },
        'a:1',
        grpc,
      ),
    ).toEqual([])
  })

  it('names the scheme that fits the URL in its advice', () => {
    const http = { ...grpc, protocol: 'http' as const }
    expect(explainTlsFailure('wrong version number', 'https://h:8000', http)?.hint).toBe(
      "use http://h:8000, or check that the port is the server's TLS port",
    )
  })
})
