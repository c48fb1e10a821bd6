import { describe, expect, it } from 'vitest'
import { FileAccessError, FileGrants } from '../../../src/main/app/file-grants'
import { toUserError } from '../../../src/main/app/user-error'

const refusal = (fn: () => void): unknown => {
  try {
    fn()
  } catch (e) {
    return toUserError(e)
  }
  return undefined
}

describe('file grants', () => {
  it('honours a granted file and anything under the data folder, and nothing else', () => {
    const g = new FileGrants(['/home/u/.config/triton-live'])
    expect(g.grant('/media/clip.mp4')).toBe(true)
    expect(g.allows('/media/clip.mp4')).toBe(true)
    expect(g.allows('/media/./x/../clip.mp4')).toBe(true)
    expect(g.allows('/media/other.mp4')).toBe(false)
    expect(g.allows('/media')).toBe(false)
    expect(g.allows('/home/u/.config/triton-live/labels/coco.names')).toBe(true)
    expect(g.allows('/home/u/.config/triton-live')).toBe(false)
    expect(g.allows('/home/u/.config/triton-live/../../.ssh/id_rsa')).toBe(false)
    expect(g.allows('/home/u/.config/triton-live-evil/x')).toBe(false)
  })

  it('grants nothing for a relative path, a NUL, an empty or an overlong path', () => {
    const g = new FileGrants(['/data'])
    for (const p of ['clip.mp4', '../clip.mp4', '', '/a\0b', `/${'a'.repeat(5000)}`]) {
      expect(g.grant(p)).toBe(false)
      expect(g.allows(p)).toBe(false)
    }
    expect(g.allows('file:///data/x')).toBe(false)
  })

  it('refuses with the same line whether or not the file exists, and never names it', () => {
    const g = new FileGrants(['/data'])
    const passwd = refusal(() => g.require('/etc/passwd', 'labels'))
    const missing = refusal(() => g.require('/nonexistent/x', 'labels'))
    expect(passwd).toEqual({
      message: 'the labels file was not chosen in this window',
      hint: 'choose it with "Choose labels file…" in the model profile',
      kind: 'forbidden',
    })
    expect(missing).toEqual(passwd)
    expect(refusal(() => g.require(undefined, 'media'))).toBeUndefined()
    expect(refusal(() => g.require('', 'caFile'))).toBeUndefined()
    expect(() => g.require('/x/ca.pem', 'caFile')).toThrow(FileAccessError)
  })

  it('lets a record keep the path it already holds, and only that one', () => {
    const g = new FileGrants(['/data'])
    expect(refusal(() => g.require('/pki/ca.pem', 'caFile', '/pki/ca.pem'))).toBeUndefined()
    expect(refusal(() => g.require('/pki/other.pem', 'caFile', '/pki/ca.pem'))).toMatchObject({
      kind: 'forbidden',
      message: 'the TLS CA file was not chosen in this window',
    })
  })

  it('keeps at most 1000 grants, forgetting the oldest first', () => {
    const g = new FileGrants(['/data'])
    for (let i = 0; i < 1001; i++) g.grant(`/f/${i}`)
    expect(g.allows('/f/0')).toBe(false)
    expect(g.allows('/f/1')).toBe(true)
    expect(g.allows('/f/1000')).toBe(true)
  })
})
