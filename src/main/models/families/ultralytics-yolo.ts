import type { ModelProfile } from '../../../shared/model-profile'
import { parameter, presetOf, type ModelFacts, type ModelFamily } from './family'
import { sizeText, withVisionSize } from './vision-size'

/**
 * Ultralytics YOLO exports served by Triton (ultralytics/ultralytics `ultralytics/engine/exporter.py`,
 * `ultralytics/utils/triton.py`, docs `guides/triton-inference-server.md`): input `images`
 * [1, 3, H, W] RGB in 0..1, output `output0` either the raw head [1, 84, 8400] (cx, cy, w, h and
 * 80 class scores, NMS on the client) or the end-to-end [1, 300, 6] (x1, y1, x2, y2, score,
 * class; YOLOv10/YOLO26, nms=True). The exporter's metadata (class names, `imgsz`) is kept in the
 * config parameter `metadata`; a dynamic export leaves H and W as -1, so `imgsz` decides them.
 * Thresholds follow Ultralytics' predict defaults: conf 0.25, IoU 0.7.
 */

const SOURCE =
  'ultralytics/ultralytics ultralytics/engine/exporter.py, ultralytics/utils/triton.py, docs guides/triton-inference-server.md'

/** `'imgsz': [640, 640]` (Python literal) or `"imgsz": [640, 640]` (JSON): [height, width]. */
export function metadataImageSize(metadata: string): [number, number] | undefined {
  const m = /['"]?imgsz['"]?\s*:\s*\[\s*(\d+)\s*,\s*(\d+)\s*\]/.exec(metadata)
  if (!m) return undefined
  const h = Number(m[1])
  const w = Number(m[2])
  return h > 0 && w > 0 && h <= 8192 && w <= 8192 ? [h, w] : undefined
}

function variant(platform: string): { id: string; name: string } {
  if (platform === 'tensorrt_plan')
    return { id: 'ultralytics-yolo-tensorrt', name: 'Ultralytics YOLO (TensorRT)' }
  if (platform === 'onnxruntime_onnx')
    return { id: 'ultralytics-yolo-onnx', name: 'Ultralytics YOLO (ONNX)' }
  return { id: 'ultralytics-yolo', name: 'Ultralytics YOLO' }
}

function isUltralytics(facts: ModelFacts, derived: ModelProfile): boolean {
  const form = derived.decoder?.form
  if (form !== 'yolov8-raw' && form !== 'end-to-end') return false
  if (derived.vision?.layout !== 'NCHW') return false
  return parameter(facts.config, 'metadata') !== undefined || facts.inputs[0]?.name === 'images'
}

export const ultralyticsYolo: ModelFamily = {
  id: 'ultralytics-yolo',
  name: 'Ultralytics YOLO',
  source: SOURCE,
  recognise(facts, derived) {
    if (derived.kind !== 'detection' || !isUltralytics(facts, derived)) return undefined
    const which = { ...variant(facts.platform), source: SOURCE }
    const metadata = parameter(facts.config, 'metadata')
    const imgsz = metadata ? metadataImageSize(metadata) : undefined
    const image = facts.inputs[0]
    const dynamic = image.shape.slice(-2).some((d) => d <= 0)
    const sized = imgsz && dynamic ? withVisionSize(derived, imgsz[1], imgsz[0]) : derived
    const profile: ModelProfile = {
      ...sized,
      decoder: { ...sized.decoder, confThreshold: 0.25, iouThreshold: 0.7 },
    }
    const e2e = profile.decoder?.form === 'end-to-end'
    const classes = profile.labels?.length
    const output = facts.outputs[0]
    const summary = [
      which.name,
      sizeText(profile),
      classes ? `${classes} classes from metadata` : 'COCO class names',
      e2e
        ? `end-to-end [${output.shape.join(',')}], no NMS`
        : `raw head [${output.shape.join(',')}], NMS here (conf 0.25, IoU 0.7)`,
    ].join(', ')
    return {
      profile,
      preset: presetOf(which, summary, {
        'vision.width': profile.vision?.width ?? 0,
        'vision.height': profile.vision?.height ?? 0,
        'decoder.form': profile.decoder?.form ?? '',
        'decoder.confThreshold': 0.25,
        'decoder.iouThreshold': 0.7,
        labels: classes ? `${classes} from metadata` : 'COCO',
      }),
    }
  },
}
