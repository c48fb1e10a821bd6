import { describe, expect, it } from 'vitest'
import { blamed } from '../../../src/main/sessions/pipelines/pipeline'

describe('which requests a lost link is counted against', () => {
  const items = [
    { id: 'a', out: false },
    { id: 'b', out: true },
    { id: 'c', out: true },
    { id: 'd', out: false },
    { id: 'e', out: true },
  ]
  const ids = (ordered: boolean) => blamed(items, (i) => i.out, ordered).map((i) => i.id)

  it('on an ordered stream, only the oldest one out: the rest may never have reached the server', () => {
    expect(ids(true)).toEqual(['b'])
  })

  it('on unary calls or HTTP, every one out: each was at the server', () => {
    expect(ids(false)).toEqual(['b', 'c', 'e'])
  })

  it('none when nothing is out', () => {
    expect(blamed(items, () => false, true)).toEqual([])
    expect(blamed([], () => true, false)).toEqual([])
  })
})
