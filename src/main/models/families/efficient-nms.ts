import { presetOf, type ModelFamily } from './family'
import { sizeText } from './vision-size'

/**
 * TensorRT's EfficientNMS plugin (NVIDIA/TensorRT `plugin/efficientNMSPlugin/README.md`) as the
 * YOLO end2end exports name its four outputs (WongKinYiu/yolov7 `export.py --end2end`,
 * `deploy/triton-inference-server/README.md`): num_dets INT32 [1], det_boxes [K, 4] corner
 * boxes in input pixels, det_scores [K], det_classes INT32 [K]; only the first num_dets rows
 * are valid. NMS already ran on the server, so the client only applies its score threshold.
 */

const EFFICIENT_NMS = {
  id: 'tensorrt-efficient-nms',
  name: 'TensorRT EfficientNMS',
  source:
    'NVIDIA/TensorRT plugin/efficientNMSPlugin/README.md; WongKinYiu/yolov7 deploy/triton-inference-server/README.md',
}

export const efficientNms: ModelFamily = {
  ...EFFICIENT_NMS,
  recognise(facts, derived) {
    if (derived.kind !== 'detection' || derived.decoder?.form !== 'efficient-nms') return undefined
    const boxes = facts.outputs.find(
      (o) => o.shape.length >= 2 && o.shape[o.shape.length - 1] === 4,
    )
    const topK = boxes ? boxes.shape[boxes.shape.length - 2] : undefined
    const names = facts.outputs.map((o) => o.name).join(', ')
    const summary =
      `${EFFICIENT_NMS.name}, 4 tensors (${names})` +
      (topK && topK > 0 ? `, top ${topK}` : '') +
      `, ${sizeText(derived)}, ${derived.labels?.length ? `${derived.labels.length} classes from metadata` : 'COCO class names'}`
    return {
      profile: derived,
      preset: presetOf(EFFICIENT_NMS, summary, {
        'decoder.form': 'efficient-nms',
        'vision.width': derived.vision?.width ?? 0,
        'vision.height': derived.vision?.height ?? 0,
        ...(topK && topK > 0 ? { topK } : {}),
      }),
    }
  },
}
