/**
 * One NetworkSpec node -> ONNX nodes (opset 17, default domain, NCDHW). Parameters become
 * initializers named as the spec names them (`${nodeId}/kernel`), so a weight in the model can be
 * traced back to the checkpoint.
 */
import { nodeParams, type ParamSpec } from '../network/spec.ts';
import { OnnxExportError, type PlainNode } from './active-graph.ts';
import { samePads } from './padding.ts';
import { ATTRIBUTE_TYPE, type OnnxAttribute, type OnnxNode } from './onnx-schema.ts';

/** What converting a node needs from the graph being built. */
export interface NodeContext {
  /** The ONNX tensor that holds a spec node's output. */
  tensor(id: string): string;
  /** Adds the initializer of a spec parameter (converted to ONNX layout); returns its name. */
  parameter(param: ParamSpec): string;
  /** Adds (once) a float32 constant initializer; returns its name. */
  constant(name: string, dims: number[], values: number[]): string;
}

const utf8 = new TextEncoder();
const ints = (name: string, values: number[]): OnnxAttribute => ({ name, type: ATTRIBUTE_TYPE.INTS, ints: values });
const float = (name: string, value: number): OnnxAttribute => ({ name, type: ATTRIBUTE_TYPE.FLOAT, f: value });
const int = (name: string, value: number): OnnxAttribute => ({ name, type: ATTRIBUTE_TYPE.INT, i: value });
const text = (name: string, value: string): OnnxAttribute => ({ name, type: ATTRIBUTE_TYPE.STRING, s: utf8.encode(value) });

const onnxNode = (name: string, opType: string, input: string[], output: string, attribute: OnnxAttribute[] = []): OnnxNode => ({ name, op_type: opType, input, output: [output], attribute });

/** The 2x2x2 stride-2 window of pooling and transposed convolution. */
const WINDOW = [2, 2, 2];

export function onnxNodes(node: PlainNode, context: NodeContext): OnnxNode[] {
  const out = context.tensor(node.id);
  const params = nodeParams(node).map((param) => context.parameter(param));
  switch (node.op) {
    case 'input':
      return [];
    case 'conv':
      return [
        onnxNode(node.id, 'Conv', [context.tensor(node.input), ...params], out, [
          ints('kernel_shape', [...node.kernel]),
          ints('strides', [node.stride, node.stride, node.stride]),
          ints('dilations', [node.dilation, node.dilation, node.dilation]),
          ints('pads', samePads(node.kernel, node.dilation, node.stride)),
          int('group', 1),
        ]),
      ];
    case 'conv-transpose':
      // A kernel-2 stride-2 transposed convolution doubles every size exactly: no padding, no output_padding.
      if (node.kernel.some((size) => size !== 2)) throw new OnnxExportError(`${node.id}: transposed convolutions export with a 2x2x2 kernel only, got ${node.kernel.join('x')}`);
      return [onnxNode(node.id, 'ConvTranspose', [context.tensor(node.input), ...params], out, [ints('kernel_shape', [...node.kernel]), ints('strides', [2, 2, 2]), ints('pads', [0, 0, 0, 0, 0, 0])])];
    case 'instance-norm':
      return [onnxNode(node.id, 'InstanceNormalization', [context.tensor(node.input), ...params], out, [float('epsilon', node.epsilon)])];
    case 'leaky-relu':
      return [onnxNode(node.id, 'LeakyRelu', [context.tensor(node.input)], out, [float('alpha', node.alpha)])];
    case 'max-pool':
      return [onnxNode(node.id, 'MaxPool', [context.tensor(node.input)], out, [ints('kernel_shape', WINDOW), ints('strides', WINDOW), ints('pads', [0, 0, 0, 0, 0, 0])])];
    case 'upsample-trilinear': {
      // Resize inputs: X, roi (unused, left out), scales over N, C, D, H, W.
      const scales = context.constant('resize_scales_x2', [5], [1, 1, 2, 2, 2]);
      return [
        onnxNode(node.id, 'Resize', [context.tensor(node.input), '', scales], out, [
          text('mode', 'linear'),
          text('coordinate_transformation_mode', 'half_pixel'),
        ]),
      ];
    }
    case 'add':
      return [onnxNode(node.id, 'Add', node.inputs.map(context.tensor), out)];
    case 'concat':
      return [onnxNode(node.id, 'Concat', node.inputs.map(context.tensor), out, [int('axis', 1)])];
  }
}
