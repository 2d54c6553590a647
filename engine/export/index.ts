/** ONNX export: write a NetworkSpec as an ONNX model, read its header back, check parity with training. */
export { exportOnnx, ONNX_INPUT, ONNX_IR_VERSION, ONNX_OPSET, ONNX_OUTPUT, type ExportOnnxOptions } from './export-onnx.ts';
export { OnnxExportError } from './active-graph.ts';
export { ndhwcToNcdhw, ncdhwToNdhwc, type Shape5 } from './layout.ts';
export { fromMetadataProps, METADATA_KEYS } from './onnx-metadata-props.ts';
export { OnnxFormatError, readOnnxHeader, readOnnxMetadata, type OnnxModelHeader, type OnnxTensorInfo } from './read-onnx.ts';
export { PARITY_TOLERANCE, verifyOnnxParity, type ParityInput, type ParityResult } from './verify-parity.ts';
