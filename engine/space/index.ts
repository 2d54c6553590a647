/** Search spaces as data: load, validate, and move between points, genomes, supernets and choice paths. */
export { choiceDecisions, firstPoint, pointPatchScale, pointToGenome, pointToPath, supernetGenome } from './genome-of-point.ts';
export { loadSearchSpace } from './load-space.ts';
export { asSearchSpaceLike } from './search-adapter.ts';
export { choiceCounts, decodeIndices, encodePoint, mutatePoint, pointKey, samplePoint, spaceSize, validatePoint, type MutateOptions } from './points.ts';
export { validateSearchSpace } from './validate-space.ts';
