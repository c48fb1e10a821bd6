import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { bundleFile, bundleResponse } from '../../../src/main/app/app-bundle'
import { APP_PAGE_URL, isAllowedExternal, isAppUrl } from '../../../src/main/app/app-origin'
import { CONTENT_SECURITY_POLICY } from '../../../src/main/app/content-security-policy'

const dir = mkdtempSync(join(tmpdir(), 'triton-live-bundle-'))
const root = join(dir, 'renderer')
mkdirSync(join(root, 'assets'), { recursive: true })
writeFileSync(join(root, 'index.html'), '<div id="root"></div>')
writeFileSync(join(root, 'assets', 'index.js'), 'export {}')
writeFileSync(join(dir, 'secret.txt'), 'SECRET')
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe("the app's origin", () => {
  it('is app://bundle, or the dev server under npm run dev', () => {
    expect(APP_PAGE_URL).toBe('app://bundle/index.html')
    expect(isAppUrl('app://bundle/index.html', undefined)).toBe(true)
    expect(isAppUrl('app://bundle', undefined)).toBe(true)
    expect(isAppUrl('http://localhost:5173/', 'http://localhost:5173')).toBe(true)
    for (const url of [
      'app://evil/index.html',
      'app://bundle.evil.example/',
      'app://bundle:8080/',
      'app://user@bundle/',
      'file:///opt/triton-live/resources/app.asar/out/renderer/index.html',
      'https://evil.example/',
      'http://localhost:5173/',
      'javascript:alert(1)',
      'data:text/html,<p>x</p>',
      'triton-media://file/x',
      'not a url',
    ]) {
      expect(isAppUrl(url, undefined), url).toBe(false)
    }
    expect(isAppUrl('http://localhost:5174/', 'http://localhost:5173')).toBe(false)
  })

  it('opens in the browser only https links to an allowlisted origin', () => {
    expect(isAllowedExternal('https://docs.nvidia.com/deeplearning/triton-inference-server/')).toBe(
      true,
    )
    expect(isAllowedExternal('https://github.com/triton-inference-server/server')).toBe(true)
    for (const url of [
      'http://docs.nvidia.com/',
      'https://docs.nvidia.com.evil.example/',
      'https://evil.example/?u=https://docs.nvidia.com',
      'https://user:pw@docs.nvidia.com/',
      'https://docs.nvidia.com:8443/',
      'file:///etc/passwd',
      'smb://server/share',
      'javascript:alert(1)',
    ]) {
      expect(isAllowedExternal(url), url).toBe(false)
    }
  })
})

describe('app:// serves the built renderer and nothing else', () => {
  it('maps the page and its assets into the folder', () => {
    expect(bundleFile(root, 'app://bundle/')).toBe(join(root, 'index.html'))
    expect(bundleFile(root, 'app://bundle/assets/index.js?v=1#x')).toBe(
      join(root, 'assets', 'index.js'),
    )
  })

  it('refuses climbing out of the folder, however it is spelt, and other hosts', async () => {
    // The URL parser folds plain and %2e dot segments at the root, so those stay inside.
    expect(bundleFile(root, 'app://bundle/../secret.txt')).toBe(join(root, 'secret.txt'))
    expect(bundleFile(root, 'app://bundle/%2e%2e/secret.txt')).toBe(join(root, 'secret.txt'))
    const hostile = [
      'app://bundle/..%2fsecret.txt',
      'app://bundle/assets/..%2F..%2Fsecret.txt',
      'app://bundle/..%5csecret.txt',
      'app://bundle/index.html%00.js',
      'app://bundle/%E0%A4%A',
      'app://other/index.html',
      'file:///etc/passwd',
    ]
    for (const url of hostile) expect(bundleFile(root, url), url).toBeUndefined()
    for (const url of [...hostile, 'app://bundle/../secret.txt']) {
      const r = await bundleResponse(root, { url, method: 'GET' })
      expect(r.status, url).toBe(404)
      expect(await r.text()).not.toContain('SECRET')
    }
  })

  it('answers with the CSP and a content type, 404 outside, 405 for other methods', async () => {
    const page = await bundleResponse(root, { url: 'app://bundle/index.html', method: 'GET' })
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(await page.text()).toBe('<div id="root"></div>')
    const js = await bundleResponse(root, { url: 'app://bundle/assets/index.js', method: 'GET' })
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    const out = await bundleResponse(root, { url: 'app://bundle/..%2fsecret.txt', method: 'GET' })
    expect(out.status).toBe(404)
    expect(await out.text()).not.toContain('SECRET')
    const missing = await bundleResponse(root, { url: 'app://bundle/nope.js', method: 'GET' })
    expect(missing.status).toBe(404)
    const dirAsFile = await bundleResponse(root, { url: 'app://bundle/assets', method: 'GET' })
    expect(dirAsFile.status).toBe(404)
    const post = await bundleResponse(root, { url: 'app://bundle/index.html', method: 'POST' })
    expect(post.status).toBe(405)
  })
})
