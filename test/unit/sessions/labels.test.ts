import { describe, expect, it } from 'vitest'
import {
  COCO_LABELS,
  makeLabeler,
  parseLabelFile,
  parseUltralyticsMetadataNames,
} from '../../../src/main/models/labels'

// What Ultralytics' exporter writes into the config parameter `metadata` (str of a dict).
const ULTRALYTICS_METADATA =
  "{'description': 'Ultralytics YOLO11n model trained on /usr/src/ultralytics/ultralytics/cfg/datasets/coco.yaml', " +
  "'author': 'Ultralytics', 'date': '2024-10-01T12:00:00.000000', 'version': '8.3.4', " +
  "'license': 'AGPL-3.0 License (https://ultralytics.com/license)', 'docs': 'https://docs.ultralytics.com', " +
  "'stride': 32, 'task': 'detect', 'batch': 1, 'imgsz': [640, 640], " +
  "'names': {0: 'person', 1: 'bicycle', 2: \"driver's seat\", 3: 'caf\\xe9'}, " +
  "'args': {'batch': 1, 'half': False, 'int8': False, 'dynamic': True, 'nms': None, 'conf': 0.25}}"

describe('COCO_LABELS', () => {
  it('lists the 80 COCO classes in Ultralytics order', () => {
    expect(COCO_LABELS).toHaveLength(80)
    expect(COCO_LABELS.slice(0, 3)).toEqual(['person', 'bicycle', 'car'])
    expect(COCO_LABELS[9]).toBe('traffic light')
    expect(COCO_LABELS[62]).toBe('tv')
    expect(COCO_LABELS[79]).toBe('toothbrush')
    expect(new Set(COCO_LABELS).size).toBe(80)
  })
})

describe('parseUltralyticsMetadataNames', () => {
  it('reads names from the Python-literal metadata Ultralytics exports', () => {
    expect(parseUltralyticsMetadataNames(ULTRALYTICS_METADATA)).toEqual([
      'person',
      'bicycle',
      "driver's seat",
      'café',
    ])
  })

  it('reads names from JSON with string keys', () => {
    const json = JSON.stringify({ task: 'detect', names: { '0': 'cat', '1': 'dog', '2': 'x "y"' } })
    expect(parseUltralyticsMetadataNames(json)).toEqual(['cat', 'dog', 'x "y"'])
  })

  it('reads names from YAML block style', () => {
    const yaml = [
      'task: detect',
      'names:',
      '  0: person',
      "  1: 'traffic light'",
      '  2: "stop sign"',
      '  3: hard hat  # PPE',
      'imgsz:',
      '- 640',
      '- 640',
    ].join('\n')
    expect(parseUltralyticsMetadataNames(yaml)).toEqual([
      'person',
      'traffic light',
      'stop sign',
      'hard hat',
    ])
  })

  it('reads names from YAML flow style and from lists', () => {
    expect(parseUltralyticsMetadataNames('names: {0: person, 1: traffic light}')).toEqual([
      'person',
      'traffic light',
    ])
    expect(parseUltralyticsMetadataNames("{'names': ['a', 'b', 'c']}")).toEqual(['a', 'b', 'c'])
    expect(parseUltralyticsMetadataNames('names:\n  - apple\n  - pear\n')).toEqual([
      'apple',
      'pear',
    ])
  })

  it('fills gaps in the class ids with "class N" and orders by id', () => {
    expect(parseUltralyticsMetadataNames("{'names': {2: 'c', 0: 'a'}}")).toEqual([
      'a',
      'class 1',
      'c',
    ])
  })

  it('ignores the word names inside other values and similar keys', () => {
    const meta =
      "{'description': 'trained with names: none', 'class_names': {0: 'wrong'}, 'names': {0: 'right'}}"
    expect(parseUltralyticsMetadataNames(meta)).toEqual(['right'])
  })

  it('tolerates values Python repr produces that JSON does not', () => {
    const meta =
      "{'data': PosixPath('/data/coco.yaml'), 'imgsz': (640, 640), 'names': {0: 'a'}, 'x': 1e-3}"
    expect(parseUltralyticsMetadataNames(meta)).toEqual(['a'])
  })

  it('returns undefined when there are no usable names', () => {
    expect(parseUltralyticsMetadataNames('')).toBeUndefined()
    expect(parseUltralyticsMetadataNames('None')).toBeUndefined()
    expect(parseUltralyticsMetadataNames("{'task': 'detect'}")).toBeUndefined()
    expect(parseUltralyticsMetadataNames("{'names': {}}")).toBeUndefined()
    expect(parseUltralyticsMetadataNames("{'names': {0: 'unterminated}")).toBeUndefined()
    expect(parseUltralyticsMetadataNames("{'names': {'zero': 'a'}}")).toBeUndefined()
  })
})

describe('parseLabelFile', () => {
  it('reads one trimmed label per line and drops trailing blank lines', () => {
    expect(parseLabelFile('person\r\n  car \nbus\n\n')).toEqual(['person', 'car', 'bus'])
  })

  it('keeps a blank line in the middle so later ids stay in place', () => {
    expect(parseLabelFile('a\n\nc\n')).toEqual(['a', '', 'c'])
  })

  it('strips a byte-order mark and handles an empty file', () => {
    expect(parseLabelFile('\uFEFFfirst\nsecond')).toEqual(['first', 'second'])
    expect(parseLabelFile('')).toEqual([])
  })
})

describe('makeLabeler', () => {
  it('uses the given labels and "class N" beyond them or for blanks', () => {
    const labelOf = makeLabeler(['cat', '', 'dog'])
    expect([0, 1, 2, 3].map(labelOf)).toEqual(['cat', 'class 1', 'dog', 'class 3'])
  })

  it('falls back to COCO names when there are no labels, then to "class N"', () => {
    for (const labelOf of [makeLabeler(undefined), makeLabeler([])]) {
      expect(labelOf(0)).toBe('person')
      expect(labelOf(79)).toBe('toothbrush')
      expect(labelOf(80)).toBe('class 80')
      expect(labelOf(-1)).toBe('class -1')
    }
  })
})
