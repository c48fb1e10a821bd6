import { describe, expect, it } from 'vitest'
import { BOX_PALETTE } from '../../../src/main/demo-endpoint/color-box-finder'
import { CLASS_PALETTE, classColour, inkOn, type Rgb } from '../../../src/shared/class-palette'

/** Machado, Oliveira and Fernandes (2009), severity 1.0, in linear RGB. */
const DEFICIENCIES: Record<string, number[][]> = {
  protanopia: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  deuteranopia: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
  tritanopia: [
    [1.255528, -0.076749, -0.178779],
    [-0.078411, 0.930809, 0.147602],
    [0.004733, 0.691367, 0.3039],
  ],
}

const linear = (c: number): number => {
  const v = c / 255
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4
}

/** CIE L*a*b* (D65) of a linear RGB colour. */
function lab([r, g, b]: number[]): number[] {
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b
  const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
  const f = (t: number): number => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116)
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))]
}

function seenAs(rgb: Rgb, m: number[][]): number[] {
  const l = rgb.map(linear)
  return lab(
    m.map((row) => Math.min(1, Math.max(0, row[0] * l[0] + row[1] * l[1] + row[2] * l[2]))),
  )
}

const deltaE = (a: number[], b: number[]): number => Math.hypot(...a.map((v, i) => v - b[i]))

describe('one palette for the overlay and the annotated video', () => {
  it('draws each demo class in the colour it is named after', () => {
    expect(BOX_PALETTE.map((c, i) => [c.name, classColour(i).name])).toEqual([
      ['red', 'red'],
      ['green', 'green'],
      ['blue', 'blue'],
      ['yellow', 'yellow'],
      ['magenta', 'purple'],
      ['cyan', 'cyan'],
    ])
  })

  it('keeps every pair of colours apart for viewers with each kind of colour blindness', () => {
    for (const [name, m] of Object.entries(DEFICIENCIES)) {
      const seen = CLASS_PALETTE.map((c) => seenAs(c.rgb, m))
      let closest = Infinity
      for (let i = 0; i < seen.length; i++)
        for (let j = i + 1; j < seen.length; j++)
          closest = Math.min(closest, deltaE(seen[i], seen[j]))
      expect({ name, apart: closest > 12 }).toEqual({ name, apart: true })
    }
  })

  it('gives a class the same colour every time, wrapping past the last colour', () => {
    expect(classColour(1)).toBe(classColour(1))
    expect(classColour(CLASS_PALETTE.length + 2)).toBe(classColour(2))
    expect(classColour(-3)).toBe(classColour(3))
    expect(classColour(Number.NaN)).toBe(classColour(0))
    expect(classColour(1).hex).toBe('#228833')
    expect(classColour(1).rgb).toEqual([0x22, 0x88, 0x33])
  })

  it('writes black on the light colours and white on the dark ones', () => {
    expect(CLASS_PALETTE.map((c) => [c.name, inkOn(c.rgb)[0] === 0 ? 'black' : 'white'])).toEqual([
      ['red', 'black'],
      ['green', 'white'],
      ['blue', 'white'],
      ['yellow', 'black'],
      ['purple', 'white'],
      ['cyan', 'black'],
      ['grey', 'black'],
    ])
  })
})
