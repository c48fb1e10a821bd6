import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemoEndpoint, type DemoEndpoint } from '../../../src/main/demo-endpoint/demo-server'
import { createTritonApi } from '../../../src/main/triton/create-triton-api'
import { connectProxy, withProxyEnv } from '../../fixtures/connect-proxy'

let demo: DemoEndpoint
beforeAll(async () => {
  demo = await startDemoEndpoint({ port: 0, metricsPort: null, httpPort: 0 })
})
afterAll(() => demo.close())

/** The server's name over KServe HTTP/REST, with the environment as given. */
async function serverName(vars: Record<string, string>): Promise<string> {
  return withProxyEnv(vars, async () => {
    const api = createTritonApi({ url: demo.httpUrl ?? '' })
    try {
      return (await api.serverMetadata()).name
    } finally {
      api.close()
    }
  })
}

describe('KServe HTTP/REST behind a forward proxy from the environment', () => {
  it('tunnels through http_proxy, and goes direct for a host in no_proxy', async () => {
    const proxy = await connectProxy()
    try {
      const target = (demo.httpUrl ?? '').replace(/^http:\/\//, '')
      expect(await serverName({ http_proxy: proxy.url })).toBe('triton-live-demo')
      expect(proxy.tunnels).toEqual([target])
      expect(await serverName({ http_proxy: proxy.url, no_proxy: '127.0.0.1' })).toBe(
        'triton-live-demo',
      )
      expect(proxy.tunnels).toEqual([target])
    } finally {
      await proxy.close()
    }
  })

  it('says the server cannot be reached when the proxy refuses the tunnel', async () => {
    const proxy = await connectProxy(true)
    try {
      const err = await serverName({ http_proxy: proxy.url }).catch((e: unknown) => e)
      expect(err).toMatchObject({
        kind: 'unreachable',
        message: `cannot reach Triton at ${demo.httpUrl}: the proxy answered 403 to CONNECT`,
        hint: 'check http_proxy / https_proxy, or name this host in no_proxy to go direct',
      })
      expect(proxy.tunnels).toHaveLength(1)
    } finally {
      await proxy.close()
    }
  })
})
