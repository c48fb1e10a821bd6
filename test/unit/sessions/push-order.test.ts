import { describe, expect, it } from 'vitest'
import { PushOrder } from '../../../src/main/sessions/pipelines/push-order'

describe('results released in push order', () => {
  it('holds an answer that overtook an earlier item until that one is done', () => {
    const out: string[] = []
    const order = new PushOrder<string>((r) => out.push(r))
    for (const k of [0, 1, 2, 3]) order.expect(k)
    order.settle(2, 'two')
    order.settle(1, 'one')
    expect(out).toEqual([])
    order.settle(0, 'zero')
    expect(out).toEqual(['zero', 'one', 'two'])
    order.settle(3, 'three')
    expect(out).toEqual(['zero', 'one', 'two', 'three'])
  })

  it('lets an item without a result take its turn, and releases everything on settleAll', () => {
    const out: string[] = []
    const order = new PushOrder<string>((r) => out.push(r))
    for (const k of [5, 7, 9, 11]) order.expect(k)
    order.settle(9, 'nine')
    order.settle(5)
    expect(out).toEqual([])
    order.settleAll()
    expect(out).toEqual(['nine'])
    // Nothing is left to hold later items back.
    order.expect(12)
    order.settle(12, 'twelve')
    expect(out).toEqual(['nine', 'twelve'])
  })
})
