/** The tail kept whole when a name is cut in the middle: a family's names differ at the end. */
const TAIL_MAX = 12

/**
 * Splits a name into a head that may be cut with an ellipsis and a tail that always shows:
 * "color-box-detector-efficientnms" → ["color-box-detector-", "efficientnms"], so a narrow row
 * reads "color-box-det…efficientnms". The tail is the last part after a separator when it is
 * short, else the last TAIL_MAX characters; a short name is not split.
 */
export function splitForMiddleEllipsis(name: string): [string, string] {
  if (name.length <= TAIL_MAX + 4) return [name, '']
  const cut = Math.max(name.lastIndexOf('-'), name.lastIndexOf('_'), name.lastIndexOf('.'))
  const at =
    cut > 0 && name.length - cut - 1 <= TAIL_MAX && cut < name.length - 1
      ? cut + 1
      : name.length - TAIL_MAX
  return [name.slice(0, at), name.slice(at)]
}
