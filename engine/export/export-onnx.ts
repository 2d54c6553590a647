/**
 * The ONNX exporter: the third consumer of NetworkSpec (next to the tfjs executor and the cost
 * model). One network, one file: the main head's class probabilities for an NCDHW image of any
 * batch and any spatial size that the network divides. Deep-supervision heads are training aids and
 * are not exported; a supernet is exported along one path.
 */
import type { OnnxMetadata } from '../api/onnx-metadata.ts';
import type { ChoicePath } from '../network/cost-model.ts';
import type { NetworkSpec, ParamSpec } from '../network/spec.ts';
import { PRODUCT_NAME, VOXNAS_VERSION } from '../version.ts';
import { activeGraph, OnnxExportError } from './active-graph.ts';
import { exportedMetadata } from './export-metadata.ts';
import { kernelToOnnx, KERNEL_TO_ONNX, type Shape5 } from './layout.ts';
import { toMetadataProps } from './onnx-metadata-props.ts';
import { onnxNodes, type NodeContext } from './onnx-nodes.ts';
import { ATTRIBUTE_TYPE, DATA_TYPE, modelType, type OnnxDimension, type OnnxModel, type OnnxTensor, type OnnxValueInfo } from './onnx-schema.ts';

export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 17;
/** The graph's input: float32 [batch, channels, depth, height, width]. */
export const ONNX_INPUT = 'image';
/** The graph's output: softmax over the classes (axis 1) of the main head, [batch, classes, depth, height, width]. */
export const ONNX_OUTPUT = 'probabilities';

export interface ExportOnnxOptions {
  /** For a supernet: the option index of every choice, by choice id (as in the cost model). */
  path?: ChoicePath;
}

/** float32 values as a TensorProto with little-endian raw_data (whatever the machine's byte order). */
function floatTensor(name: string, dims: number[], values: ArrayLike<number>): OnnxTensor {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let index = 0; index < values.length; index += 1) view.setFloat32(index * 4, values[index]!, true);
  return { name, dims, data_type: DATA_TYPE.FLOAT, raw_data: bytes };
}

function valueInfo(name: string, channels: number): OnnxValueInfo {
  const dim: OnnxDimension[] = [{ dim_param: 'batch' }, { dim_value: channels }, { dim_param: 'depth' }, { dim_param: 'height' }, { dim_param: 'width' }];
  return { name, type: { tensor_type: { elem_type: DATA_TYPE.FLOAT, shape: { dim } } } };
}

/** A spec parameter in ONNX layout: kernels transposed (KERNEL_TO_ONNX), vectors as they are. */
function parameterTensor(param: ParamSpec, weights: ReadonlyMap<string, Float32Array>): OnnxTensor {
  const values = weights.get(param.name);
  const size = param.shape.reduce((a, b) => a * b, 1);
  if (!values) throw new OnnxExportError(`weights: no values for ${param.name} (shape [${param.shape.join(', ')}], tfjs layout)`);
  if (values.length !== size) throw new OnnxExportError(`weights: ${param.name} has ${values.length} values, its shape [${param.shape.join(', ')}] needs ${size}`);
  if (param.shape.length !== 5) return floatTensor(param.name, param.shape, values);
  const shape = param.shape as Shape5;
  return floatTensor(
    param.name,
    KERNEL_TO_ONNX.map((axis) => shape[axis]!),
    kernelToOnnx(values, shape),
  );
}

/**
 * Writes an ONNX ModelProto (IR 8, opset 17) of `spec` with `weights` (the spec's parameter names,
 * tfjs layouts, see ParamSpec). Only the parameters on the exported path are needed. Throws an
 * OnnxExportError that names the choice, weight or metadata field at fault; nothing is returned then.
 */
export function exportOnnx(spec: NetworkSpec, weights: ReadonlyMap<string, Float32Array>, metadata: OnnxMetadata, options: ExportOnnxOptions = {}): Uint8Array {
  const path = options.path ?? {};
  const graph = activeGraph(spec, path);
  const props = toMetadataProps(exportedMetadata(spec, metadata, path, VOXNAS_VERSION));
  const inputId = graph.nodes.find((node) => node.op === 'input')?.id;
  if (inputId === undefined) throw new OnnxExportError('the NetworkSpec has no input node');
  const initializer: OnnxTensor[] = [];
  const added = new Set<string>();
  const addOnce = (name: string, make: () => OnnxTensor): string => {
    if (!added.has(name)) initializer.push(make());
    added.add(name);
    return name;
  };
  const context: NodeContext = {
    tensor: (id) => (graph.source(id) === inputId ? ONNX_INPUT : graph.source(id)),
    parameter: (param) => addOnce(param.name, () => parameterTensor(param, weights)),
    constant: (name, dims, values) => addOnce(name, () => floatTensor(name, dims, values)),
  };
  const node = graph.nodes.flatMap((layer) => onnxNodes(layer, context));
  node.push({ name: `${ONNX_OUTPUT}.softmax`, op_type: 'Softmax', input: [context.tensor(graph.output)], output: [ONNX_OUTPUT], attribute: [{ name: 'axis', type: ATTRIBUTE_TYPE.INT, i: 1 }] });
  const archId = props.find((entry) => entry.key === 'archId')!.value;
  const model: OnnxModel = {
    ir_version: ONNX_IR_VERSION,
    opset_import: [{ domain: '', version: ONNX_OPSET }],
    producer_name: PRODUCT_NAME,
    producer_version: VOXNAS_VERSION,
    doc_string: `${PRODUCT_NAME} segmentation network ${archId}: class probabilities for an NCDHW image; preprocessing facts in metadata_props.`,
    graph: {
      name: `voxnas_${archId}`,
      node,
      initializer,
      input: [valueInfo(ONNX_INPUT, spec.inputChannels)],
      output: [valueInfo(ONNX_OUTPUT, spec.classes)],
    },
    metadata_props: props,
  };
  // A copy: in Node the writer returns a Buffer, possibly a view into a shared pool.
  return new Uint8Array(modelType().encode(model).finish());
}
