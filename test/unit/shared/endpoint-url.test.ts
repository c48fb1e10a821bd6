import { describe, expect, it } from 'vitest'
import { displayUrl, EndpointError, parseEndpoint } from '../../../src/shared/endpoint-url'

const grpc = { protocol: 'grpc', basePath: '' } as const

describe('parseEndpoint', () => {
  it.each([
    [
      '127.0.0.1:8001',
      { target: '127.0.0.1:8001', host: '127.0.0.1', port: 8001, tls: false, ...grpc },
    ],
    [
      'triton.local',
      { target: 'triton.local:8001', host: 'triton.local', port: 8001, tls: false, ...grpc },
    ],
    [
      'grpc://gpu-box:9001',
      { target: 'gpu-box:9001', host: 'gpu-box', port: 9001, tls: false, ...grpc },
    ],
    [
      'grpcs://triton.example.com:443/',
      {
        target: 'triton.example.com:443',
        host: 'triton.example.com',
        port: 443,
        tls: true,
        ...grpc,
      },
    ],
    ['[::1]:8001', { target: '[::1]:8001', host: '::1', port: 8001, tls: false, ...grpc }],
    [
      '  grpcs://[fe80::1]  ',
      { target: '[fe80::1]:8001', host: 'fe80::1', port: 8001, tls: true, ...grpc },
    ],
  ])('reads %s as gRPC', (input, expected) => {
    expect(parseEndpoint(input)).toEqual(expected)
  })

  it.each([
    ['http://gpu-box', { target: 'gpu-box:8000', port: 8000, tls: false, basePath: '' }],
    ['http://127.0.0.1:9000/', { target: '127.0.0.1:9000', port: 9000, tls: false, basePath: '' }],
    [
      'https://gw.example.com',
      { target: 'gw.example.com:443', port: 443, tls: true, basePath: '' },
    ],
    [
      'https://gw.example.com:8443/triton/prod/',
      { target: 'gw.example.com:8443', port: 8443, tls: true, basePath: '/triton/prod' },
    ],
  ])('reads %s as KServe HTTP, Triton port 8000 or a TLS proxy on 443', (input, expected) => {
    expect(parseEndpoint(input)).toMatchObject({ ...expected, protocol: 'http' })
  })

  it('shows each endpoint with the scheme of its protocol and without secrets', () => {
    expect(displayUrl(parseEndpoint('gpu:8001'))).toBe('grpc://gpu:8001')
    expect(displayUrl(parseEndpoint('https://gw/triton'))).toBe('https://gw:443/triton')
  })

  it.each([
    ['', /no Triton URL/],
    ['ftp://host:1', /unsupported scheme 'ftp:\/\/'/],
    ['host:0', /port '0'/],
    ['host:70000', /port '70000'/],
    ['host:80:90', /is not a valid address/],
    ['grpc://host:8001/v2', /has a path; a gRPC endpoint is only host and port/],
    ['http://host:8000/v2/models', /has a path that is not a gateway prefix/],
    ['bad host:8001', /no valid host name/],
  ])('refuses %j with a reason and an example', (input, pattern) => {
    const err = (() => {
      try {
        parseEndpoint(input)
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(EndpointError)
    expect((err as EndpointError).message).toMatch(pattern)
    expect((err as EndpointError).hint).toMatch(/host:port|brackets/)
  })
})
