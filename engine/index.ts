/**
 * The engine's public entry: the only engine module that main/ may import.
 * Later issues add the dataset, planning, search and export services here.
 */
export { PRODUCT_NAME, VOXNAS_VERSION } from './version.ts';
export { describeRuntime, type RuntimeReport } from './runtime/runtime-report.ts';
export { resourcesDir, sampleDatasetDir } from './runtime/paths.ts';
