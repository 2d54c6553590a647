/**
 * Reads an ONNX model's header (IR version, opsets, producer, graph inputs and outputs,
 * metadata_props) without decoding its nodes or weights: onnxruntime-node has no API for
 * metadata_props, and a predictor needs them before it builds a session.
 */
import { modelHeaderType } from './onnx-schema.ts';

/** A graph input or output. A dimension is a size, or its symbolic name (dim_param), or null when unknown. */
export interface OnnxTensorInfo {
  name: string;
  /** TensorProto.DataType (1 = float32); null when not a tensor. */
  elementType: number | null;
  /** Null when the model gives no shape. */
  shape: (number | string | null)[] | null;
}

export interface OnnxModelHeader {
  irVersion: number;
  /** Operator sets; the default ONNX domain is ''. */
  opsets: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  graphName: string;
  inputs: OnnxTensorInfo[];
  outputs: OnnxTensorInfo[];
  metadata: Record<string, string>;
}

/** Why bytes could not be read as an ONNX model. */
export class OnnxFormatError extends Error {
  override name = 'OnnxFormatError';
}

interface DecodedDimension {
  dim_value?: number;
  dim_param?: string;
}
interface DecodedValueInfo {
  name?: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: DecodedDimension[] } } };
}
interface DecodedHeader {
  ir_version?: number;
  opset_import?: { domain?: string; version?: number }[];
  producer_name?: string;
  producer_version?: string;
  graph?: { name?: string; input?: DecodedValueInfo[]; output?: DecodedValueInfo[] };
  metadata_props?: { key?: string; value?: string }[];
}

function tensorInfo(value: DecodedValueInfo): OnnxTensorInfo {
  const tensor = value.type?.tensor_type;
  const dims = tensor?.shape?.dim;
  return {
    name: value.name ?? '',
    elementType: tensor?.elem_type ?? null,
    shape: dims ? dims.map((dim) => dim.dim_value ?? dim.dim_param ?? null) : null,
  };
}

export function readOnnxHeader(bytes: Uint8Array): OnnxModelHeader {
  const type = modelHeaderType();
  let decoded: DecodedHeader;
  try {
    decoded = type.toObject(type.decode(bytes), { longs: Number, defaults: false }) as DecodedHeader;
  } catch (error) {
    throw new OnnxFormatError(`not an ONNX model: the protobuf does not decode (${(error as Error).message})`);
  }
  if (decoded.ir_version === undefined || decoded.graph === undefined) throw new OnnxFormatError('not an ONNX model: it has no IR version or no graph');
  const metadata: Record<string, string> = {};
  for (const entry of decoded.metadata_props ?? []) metadata[entry.key ?? ''] = entry.value ?? '';
  return {
    irVersion: decoded.ir_version,
    opsets: (decoded.opset_import ?? []).map((opset) => ({ domain: opset.domain ?? '', version: opset.version ?? 0 })),
    producerName: decoded.producer_name ?? '',
    producerVersion: decoded.producer_version ?? '',
    graphName: decoded.graph.name ?? '',
    inputs: (decoded.graph.input ?? []).map(tensorInfo),
    outputs: (decoded.graph.output ?? []).map(tensorInfo),
    metadata,
  };
}

/** The model's metadata_props as key -> value (see readOnnxHeader for the rest of the header). */
export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  return readOnnxHeader(bytes).metadata;
}
