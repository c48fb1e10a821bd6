import { presetOf, type ModelFamily } from './family'
import { sizeText } from './vision-size'

/**
 * Detectors that take raw RGB bytes: one input of TYPE_UINT8 laid out NHWC ([H, W, 3], config
 * `format: FORMAT_NHWC`), with scaling to 0..1 built into the graph, as TensorFlow and DeepStream
 * style exports do (Triton `docs/user_guide/model_configuration.md`, input format; for example
 * google/automl-video-ondevice `deepstream/vot/config.pbtxt.tf`). The preset sends the letterboxed
 * frame's bytes as they are: no /255, no transpose. Outputs must be one of the three YOLO forms.
 */

const NHWC_UINT8 = {
  id: 'nhwc-uint8-detector',
  name: 'NHWC UINT8 detector',
  source:
    'triton-inference-server/server docs/user_guide/model_configuration.md (FORMAT_NHWC, TYPE_UINT8); google/automl-video-ondevice deepstream/vot/config.pbtxt.tf',
}

export const nhwcUint8: ModelFamily = {
  ...NHWC_UINT8,
  recognise(_facts, derived) {
    const v = derived.vision
    if (derived.kind !== 'detection' || v?.layout !== 'NHWC' || v.datatype !== 'UINT8')
      return undefined
    const profile = { ...derived, vision: { ...v, scale: 1 } }
    return {
      profile,
      preset: presetOf(
        NHWC_UINT8,
        `${NHWC_UINT8.name}, ${sizeText(profile)} RGB bytes as they are, ${derived.decoder?.form ?? '?'} outputs`,
        {
          'vision.layout': 'NHWC',
          'vision.datatype': 'UINT8',
          'vision.scale': 1,
          'vision.width': v.width,
          'vision.height': v.height,
          'decoder.form': derived.decoder?.form ?? '',
        },
      ),
    }
  },
}
