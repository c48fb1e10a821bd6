import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * npm 11 reports install scripts nobody reviewed and will block them. The project runs none
 * (.npmrc) and records the review in package.json, so a new dependency with an install script
 * shows up here before it can make `npm ci` depend on a download.
 */
const root = join(__dirname, '..', '..', '..')
const read = (name: string): string => readFileSync(join(root, name), 'utf8')

interface LockPackage {
  hasInstallScript?: boolean
}

describe('the install-script policy', () => {
  it('runs no install script in any npm command of the project', () => {
    const settings = read('.npmrc')
      .split('\n')
      .map((l) => l.trim())
    expect(settings).toContain('ignore-scripts=true')
  })

  it('has reviewed every locked package that carries an install script', () => {
    const lock = JSON.parse(read('package-lock.json')) as {
      packages: Record<string, LockPackage>
    }
    const withScripts = Object.entries(lock.packages)
      .filter(([path, p]) => path !== '' && p.hasInstallScript)
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length))
      .sort()
    const pkg = JSON.parse(read('package.json')) as { allowScripts?: Record<string, boolean> }
    expect(withScripts.length).toBeGreaterThan(0)
    expect(Object.keys(pkg.allowScripts ?? {}).sort()).toEqual(withScripts)
  })

  it('runs in CI exactly the test command README gives', () => {
    const ci = read('.ci/run')
    const readme = read('README.md')
    const command = /Run the tests[^`]*```sh\n([^\n]+)\n```/.exec(readme)?.[1]
    expect(command).toBe('npm ci && npm test')
    expect(ci.trimEnd().split('\n').at(-1)).toBe(command)
  })
})
