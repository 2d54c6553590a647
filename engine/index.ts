/**
 * The engine's public entry: the only engine module that main/ may import.
 */
export { PRODUCT_NAME, VOXNAS_VERSION } from './version.ts';
export { describeRuntime, type RuntimeReport } from './runtime/runtime-report.ts';
export { resourcesDir, sampleDatasetDir } from './runtime/paths.ts';
// Temporary file + fsync + rename: how every workspace and state file is written, in main as in the engine.
export { writeFileAtomic } from './runtime/atomic-write.ts';
// How main starts the job worker from the TypeScript source (browser mode from a source checkout, tests).
export { typescriptExecArgv } from './runtime/typescript-child.ts';
export { InputError, isInputError } from './io/input-error.ts';
export { readVolume, type ReadVolumeResult } from './io/read-volume.ts';
export { affineRas, type Volume } from './io/volume.ts';
export { checkDataset, importCheckedDataset, type DatasetCheck, type ImportOutcome } from './data/dataset-check.ts';
// Workspace file readers (validated and migrated; errors are InputErrors naming the file): what main's services show.
export { readDatasetFile, readPlansFile } from './runtime/workspace-files.ts';
export { migrateFingerprintJson } from './api/fingerprint.ts';
// The ONNX header reader (protobufjs only, no onnxruntime): what the Models screen shows of model.onnx.
export { readOnnxHeader, type OnnxModelHeader } from './export/read-onnx.ts';
// metrics.json of an evaluation (the evaluate job's, voxnas evaluate's): what the Review screen lists.
export { parseMetricsReport, type MetricsReport } from './evaluate/metrics-report.ts';
// Training, search and export load TensorFlow.js and onnxruntime: they run in the job worker
// (engine/runtime/worker.ts) and the CLI, never in Electron's main process, so they are not
// exported here.
// What the search wizard shows (search.methods, search.estimate, search.candidate): plain data and the
// cost model (pure JS: decode a genome, count parameters, FLOPs and activation memory), no TensorFlow.js.
export { SEARCH_METHODS, type SearchMethod, type SearchMethodId } from './api/search-methods.ts';
export { archId, validateGenome } from './network/genome.ts';
export { decodeGenome } from './network/decode.ts';
export { networkCost } from './network/cost-model.ts';
export { loadSearchSpace } from './space/load-space.ts';
export { firstPoint, pointPatchScale, pointToGenome, scaledPatch, supernetGenome } from './space/genome-of-point.ts';
export { CPU_TRAINING_FLOPS } from './data/plan.ts';
