/**
 * The part of the ONNX protobuf schema (onnx.proto, proto2, IR version 8) that VoxNAS writes and
 * reads, declared for protobufjs reflection. Field names and numbers are the spec's; messages and
 * fields we never use are left out (a decoder skips unknown fields, so reading other producers'
 * models still works). The interfaces mirror the messages as plain objects, with the spec's
 * snake_case names, which is what protobufjs encodes from and decodes to.
 */
import protobuf from 'protobufjs';

/** TensorProto.DataType values used here. */
export const DATA_TYPE = { FLOAT: 1, INT64: 7 } as const;

/** AttributeProto.AttributeType values used here. */
export const ATTRIBUTE_TYPE = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 } as const;

export interface OnnxTensor {
  name: string;
  dims: number[];
  data_type: number;
  /** Little-endian element bytes. */
  raw_data: Uint8Array;
}

export interface OnnxAttribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  /** UTF-8 bytes of a STRING attribute. */
  s?: Uint8Array;
  ints?: number[];
}

export interface OnnxNode {
  name: string;
  op_type: string;
  /** An empty string is an omitted optional input. */
  input: string[];
  output: string[];
  attribute: OnnxAttribute[];
}

/** One dimension: a fixed size or a symbolic name. */
export type OnnxDimension = { dim_value: number } | { dim_param: string };

export interface OnnxValueInfo {
  name: string;
  type: { tensor_type: { elem_type: number; shape: { dim: OnnxDimension[] } } };
}

export interface OnnxGraph {
  name: string;
  node: OnnxNode[];
  initializer: OnnxTensor[];
  input: OnnxValueInfo[];
  output: OnnxValueInfo[];
}

export interface OnnxModel {
  ir_version: number;
  opset_import: { domain: string; version: number }[];
  producer_name: string;
  producer_version: string;
  doc_string: string;
  graph: OnnxGraph;
  metadata_props: { key: string; value: string }[];
}

type FieldJson = { type: string; id: number; rule?: 'repeated'; options?: { packed: boolean } };
const field = (type: string, id: number): FieldJson => ({ type, id });
const repeated = (type: string, id: number, packed = false): FieldJson => ({ type, id, rule: 'repeated', ...(packed ? { options: { packed } } : {}) });

/** proto2: explicit field presence (a zero that is set is written) and unpacked repeated scalars unless marked. */
const message = (fields: Record<string, FieldJson>, extra: Record<string, unknown> = {}) => ({ edition: 'proto2', fields, ...extra });

/** The schema; without `graphBody` GraphProto lacks its nodes and initializers (reading headers fast). */
function schema(graphBody: boolean): protobuf.INamespace {
  const graphFields: Record<string, FieldJson> = {
    name: field('string', 2),
    doc_string: field('string', 10),
    input: repeated('ValueInfoProto', 11),
    output: repeated('ValueInfoProto', 12),
  };
  if (graphBody) Object.assign(graphFields, { node: repeated('NodeProto', 1), initializer: repeated('TensorProto', 5) });
  return {
    nested: {
      ModelProto: message({
        ir_version: field('int64', 1),
        opset_import: repeated('OperatorSetIdProto', 8),
        producer_name: field('string', 2),
        producer_version: field('string', 3),
        domain: field('string', 4),
        model_version: field('int64', 5),
        doc_string: field('string', 6),
        graph: field('GraphProto', 7),
        metadata_props: repeated('StringStringEntryProto', 14),
      }),
      OperatorSetIdProto: message({ domain: field('string', 1), version: field('int64', 2) }),
      StringStringEntryProto: message({ key: field('string', 1), value: field('string', 2) }),
      GraphProto: message(graphFields),
      NodeProto: message({
        input: repeated('string', 1),
        output: repeated('string', 2),
        name: field('string', 3),
        op_type: field('string', 4),
        domain: field('string', 7),
        attribute: repeated('AttributeProto', 5),
        doc_string: field('string', 6),
      }),
      AttributeProto: message({
        name: field('string', 1),
        type: field('int32', 20),
        f: field('float', 2),
        i: field('int64', 3),
        s: field('bytes', 4),
        floats: repeated('float', 7),
        ints: repeated('int64', 8),
        strings: repeated('bytes', 9),
      }),
      TensorProto: message({
        dims: repeated('int64', 1),
        data_type: field('int32', 2),
        float_data: repeated('float', 4, true),
        int64_data: repeated('int64', 7, true),
        name: field('string', 8),
        raw_data: field('bytes', 9),
        doc_string: field('string', 12),
      }),
      ValueInfoProto: message({ name: field('string', 1), type: field('TypeProto', 2), doc_string: field('string', 3) }),
      TypeProto: message(
        { tensor_type: field('Tensor', 1), denotation: field('string', 6) },
        {
          oneofs: { value: { oneof: ['tensor_type'] } },
          nested: { Tensor: message({ elem_type: field('int32', 1), shape: field('TensorShapeProto', 2) }) },
        },
      ),
      TensorShapeProto: message(
        { dim: repeated('Dimension', 1) },
        {
          nested: {
            Dimension: message(
              { dim_value: field('int64', 1), dim_param: field('string', 2), denotation: field('string', 3) },
              { oneofs: { value: { oneof: ['dim_value', 'dim_param'] } } },
            ),
          },
        },
      ),
    },
  };
}

let full: protobuf.Type | undefined;
let header: protobuf.Type | undefined;

/** ModelProto with every field above. */
export function modelType(): protobuf.Type {
  full ??= protobuf.Root.fromJSON(schema(true)).lookupType('ModelProto');
  return full;
}

/** ModelProto whose graph skips nodes and initializers: decodes a model's header without its weights. */
export function modelHeaderType(): protobuf.Type {
  header ??= protobuf.Root.fromJSON(schema(false)).lookupType('ModelProto');
  return header;
}
