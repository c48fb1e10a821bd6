import { describe, expect, it } from 'vitest'
import { EndpointError, parseEndpoint } from '../../../src/main/triton/endpoint'

describe('parseEndpoint', () => {
  it.each([
    ['127.0.0.1:8001', { target: '127.0.0.1:8001', host: '127.0.0.1', port: 8001, tls: false }],
    ['triton.local', { target: 'triton.local:8001', host: 'triton.local', port: 8001, tls: false }],
    ['grpc://gpu-box:9001', { target: 'gpu-box:9001', host: 'gpu-box', port: 9001, tls: false }],
    [
      'grpcs://triton.example.com:443/',
      { target: 'triton.example.com:443', host: 'triton.example.com', port: 443, tls: true },
    ],
    ['[::1]:8001', { target: '[::1]:8001', host: '::1', port: 8001, tls: false }],
    ['  grpcs://[fe80::1]  ', { target: '[fe80::1]:8001', host: 'fe80::1', port: 8001, tls: true }],
  ])('reads %s', (input, expected) => {
    expect(parseEndpoint(input)).toEqual(expected)
  })

  it.each([
    ['', /no Triton URL/],
    ['ftp://host:1', /unsupported scheme 'ftp:\/\/'/],
    ['host:0', /port '0'/],
    ['host:70000', /port '70000'/],
    ['host:80:90', /is not a valid address/],
    ['http://host:8000/v2/models', /has a path/],
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
