/**
 * What an exported ONNX model says about itself besides its graph: the facts a predictor needs to
 * prepare an image the way training did, and to name what comes out. Plain, JSON-serialisable data;
 * the renderer may import these types. `engine/export/onnx-metadata-props.ts` writes them into the
 * model's `metadata_props` (keys in docs/decisions/0009-onnx-export.md) and reads them back.
 */
import type { Genome } from './genome.ts';

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * What the caller of the exporter provides. Spatial triples are in the model's tensor order
 * [D, H, W] = [k, j, i] (plans.json stores (i, j, k): convert with toTensorOrder from plans.ts).
 */
export interface OnnxMetadata {
  /** The genome the exported NetworkSpec was decoded from (for a supernet: the supernet's genome). */
  genome: Genome;
  /** Image channel names in input channel order (e.g. ["T2", "ADC"]); one per input channel. */
  channelNames: string[];
  /** Output channel c of "probabilities" is the class labelNames[c]; index 0 is the background. */
  labelNames: string[];
  /** Output channel c predicts the label value labelValues[c] in the dataset's label maps (0 first). */
  labelValues: number[];
  /** Voxel size in mm the image must be resampled to, [D, H, W]. */
  targetSpacing: [number, number, number];
  /** Intensity normalization per input channel, as the plan states it (plans.json preprocessing.normalization). */
  normalization: JsonValue;
  /** Patch size the network was trained on, [D, H, W]; sliding-window inference uses it. */
  patchSize: [number, number, number];
  /** Anything else, stored under its own key; a key may not repeat one of the keys the exporter writes. */
  extra?: Record<string, string>;
}

/** What `metadata_props` hold after export: the caller's facts plus what the exporter derived. */
export interface ExportedOnnxMetadata extends OnnxMetadata {
  /** Version of the metadata layout (this type). */
  metadataVersion: 1;
  /** VoxNAS version that wrote the model. */
  voxnasVersion: string;
  /** archId of `genome`: for a supernet exported along a path, `genome` is the chosen child. */
  archId: string;
  /** The supernet's archId and the path taken through it; null for a network without choices. */
  supernet: { archId: string; choicePath: Record<string, number> } | null;
  inputChannels: number;
  classes: number;
  /** Spatial sizes given to the model must be multiples of this on every axis. */
  sizeDivisor: number;
}
