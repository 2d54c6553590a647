import { describe, expect, it } from 'vitest';
import type { Genome } from '../../../engine/api/genome.ts';
import { exportOnnx } from '../../../engine/export/export-onnx.ts';
import { fromMetadataProps } from '../../../engine/export/onnx-metadata-props.ts';
import { modelType } from '../../../engine/export/onnx-schema.ts';
import { OnnxFormatError, readOnnxHeader, readOnnxMetadata } from '../../../engine/export/read-onnx.ts';
import { archId } from '../../../engine/network/genome.ts';
import { VOXNAS_VERSION } from '../../../engine/version.ts';
import { caseMetadata, caseSpec, EXPORT_CASES } from './support/export-cases.ts';
import { randomWeights } from './support/reference-forward.ts';

const supernetCase = EXPORT_CASES[3]!;

describe('ONNX export metadata', () => {
  it('reads back the header and every metadata fact of a supernet exported along a path', () => {
    const spec = caseSpec(supernetCase);
    const metadata = { ...caseMetadata(supernetCase), extra: { modelId: 'm-0001', trainedOn: 'Task04_Hippocampus, 5 folds' } };
    const bytes = exportOnnx(spec, randomWeights(spec, 5), metadata, { path: supernetCase.path });
    const child: Genome = {
      ...supernetCase.genome,
      encoder: [['conv3', 'identity'], ['p3d3', 'conv3'], ['conv3']],
      decoder: [['conv5'], ['conv3']],
    };
    const header = readOnnxHeader(bytes);
    expect({ ...header, metadata: undefined }).toEqual({
      irVersion: 8,
      opsets: [{ domain: '', version: 17 }],
      producerName: 'VoxNAS',
      producerVersion: VOXNAS_VERSION,
      graphName: `voxnas_${archId(child)}`,
      inputs: [{ name: 'image', elementType: 1, shape: ['batch', 1, 'depth', 'height', 'width'] }],
      outputs: [{ name: 'probabilities', elementType: 1, shape: ['batch', 3, 'depth', 'height', 'width'] }],
      metadata: undefined,
    });
    expect(readOnnxMetadata(bytes)).toEqual(header.metadata);
    expect(fromMetadataProps(header.metadata)).toEqual({
      ok: true,
      value: {
        ...metadata,
        genome: child,
        metadataVersion: 1,
        voxnasVersion: VOXNAS_VERSION,
        archId: archId(child),
        supernet: { archId: spec.archId, choicePath: supernetCase.path },
        inputChannels: 1,
        classes: 3,
        sizeDivisor: 4,
      },
    });
    expect(Object.keys(header.metadata)).toEqual([
      'metadataVersion', 'voxnasVersion', 'archId', 'genome', 'supernetArchId', 'choicePath', 'layout', 'inputChannels', 'channelNames',
      'classes', 'labelNames', 'labelValues', 'targetSpacing', 'normalization', 'patchSize', 'sizeDivisor', 'modelId', 'trainedOn',
    ]);
  });

  it('exports a supernet path and its child genome as the same graph', () => {
    const spec = caseSpec(supernetCase);
    const weights = randomWeights(spec, 5);
    const fromPath = exportOnnx(spec, weights, caseMetadata(supernetCase), { path: supernetCase.path });
    const childMetadata = fromMetadataProps(readOnnxMetadata(fromPath));
    if (!childMetadata.ok) throw new Error(childMetadata.errors.join('; '));
    const childCase = { ...supernetCase, genome: childMetadata.value.genome, path: {} };
    const fromChild = exportOnnx(caseSpec(childCase), weights, caseMetadata(childCase));
    const graph = (bytes: Uint8Array) => modelType().toObject(modelType().decode(bytes), { longs: Number })['graph'] as unknown;
    expect(graph(fromPath)).toEqual(graph(fromChild));
    expect(readOnnxMetadata(fromChild)).toEqual(Object.fromEntries(Object.entries(readOnnxMetadata(fromPath)).filter(([key]) => key !== 'supernetArchId' && key !== 'choicePath')));
  });

  it('returns errors as values for metadata it cannot read', () => {
    expect(fromMetadataProps({ metadataVersion: '2', genome: '{}', classes: 'three' })).toEqual({
      ok: false,
      errors: [
        'metadataVersion: expected 1 (this VoxNAS reads metadata version 1), got "2"',
        'genome: schemaVersion: expected 1, got undefined; widths: expected 2 to 7 positive integers (channels per level, finest first)',
        'voxnasVersion: missing',
        'archId: missing',
        'inputChannels: expected a positive integer, got nothing',
        'channelNames: expected a JSON list of names, got nothing',
        'classes: expected a positive integer, got "three"',
        'labelNames: expected a JSON list of names, got nothing',
        'labelValues: expected a JSON list of label values, got nothing',
        'targetSpacing: expected a JSON list of 3 numbers, got nothing',
        'normalization: expected JSON, got nothing',
        'patchSize: expected a JSON list of 3 numbers, got nothing',
        'sizeDivisor: expected a positive integer, got nothing',
      ],
    });
    expect(() => readOnnxHeader(new Uint8Array([0x0a, 0xff, 0xff]))).toThrow(OnnxFormatError);
  });
});
