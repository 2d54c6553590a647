/**
 * ExportedOnnxMetadata <-> ONNX `metadata_props` (string key -> string value). Numbers and lists
 * are JSON text, the genome and normalization canonical JSON (sorted keys). The keys are listed in
 * docs/decisions/0009-onnx-export.md; a reader must ignore keys it does not know.
 */
import type { ExportedOnnxMetadata, JsonValue } from '../api/onnx-metadata.ts';
import { isRecord, isStringArray, isTriple, type Validated } from '../api/validation.ts';
import { canonicalJson, validateGenome } from '../network/genome.ts';

export const METADATA_VERSION = 1;

/** Keys the exporter writes, in the order it writes them. */
export const METADATA_KEYS = [
  'metadataVersion',
  'voxnasVersion',
  'archId',
  'genome',
  'supernetArchId',
  'choicePath',
  'layout',
  'inputChannels',
  'channelNames',
  'classes',
  'labelNames',
  'labelValues',
  'targetSpacing',
  'normalization',
  'patchSize',
  'sizeDivisor',
] as const;

export type MetadataKey = (typeof METADATA_KEYS)[number];

/** The layout facts a reader needs before anything else. */
export const LAYOUT_NOTE = 'NCDHW: input "image" [batch, channels, depth, height, width] float32; output "probabilities" [batch, classes, depth, height, width], softmax over axis 1';

export function toMetadataProps(metadata: ExportedOnnxMetadata): { key: string; value: string }[] {
  const values: Record<MetadataKey, string | null> = {
    metadataVersion: String(metadata.metadataVersion),
    voxnasVersion: metadata.voxnasVersion,
    archId: metadata.archId,
    genome: canonicalJson(metadata.genome),
    supernetArchId: metadata.supernet?.archId ?? null,
    choicePath: metadata.supernet ? canonicalJson(metadata.supernet.choicePath) : null,
    layout: LAYOUT_NOTE,
    inputChannels: String(metadata.inputChannels),
    channelNames: JSON.stringify(metadata.channelNames),
    classes: String(metadata.classes),
    labelNames: JSON.stringify(metadata.labelNames),
    labelValues: JSON.stringify(metadata.labelValues),
    targetSpacing: JSON.stringify(metadata.targetSpacing),
    normalization: canonicalJson(metadata.normalization),
    patchSize: JSON.stringify(metadata.patchSize),
    sizeDivisor: String(metadata.sizeDivisor),
  };
  const props: { key: string; value: string }[] = METADATA_KEYS.flatMap((key) => (values[key] === null ? [] : [{ key, value: values[key] }]));
  for (const [key, value] of Object.entries(metadata.extra ?? {})) props.push({ key, value });
  return props;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value > 0;

/** Reads what toMetadataProps wrote; errors name the key. Unknown keys come back in `extra`. */
export function fromMetadataProps(props: Record<string, string>): Validated<ExportedOnnxMetadata> {
  const errors: string[] = [];
  const json = (key: MetadataKey, check: (value: unknown) => boolean, expected: string): unknown => {
    const value = parseJson(props[key]);
    if (!check(value)) errors.push(`${key}: expected ${expected}, got ${props[key] === undefined ? 'nothing' : JSON.stringify(props[key])}`);
    return value;
  };
  const text = (key: MetadataKey): string => {
    if (typeof props[key] !== 'string' || props[key] === '') errors.push(`${key}: missing`);
    return props[key] ?? '';
  };
  json('metadataVersion', (value) => value === METADATA_VERSION, `${METADATA_VERSION} (this VoxNAS reads metadata version ${METADATA_VERSION})`);
  const genome = validateGenome(parseJson(props['genome']));
  if (!genome.ok) errors.push(`genome: ${genome.errors.join('; ')}`);
  const hasSupernet = props['supernetArchId'] !== undefined || props['choicePath'] !== undefined;
  const choicePath = hasSupernet ? json('choicePath', (value) => isRecord(value) && Object.values(value).every((index) => Number.isInteger(index)), 'a JSON object of option indices') : null;
  const metadata = {
    metadataVersion: METADATA_VERSION,
    voxnasVersion: text('voxnasVersion'),
    archId: text('archId'),
    genome: genome.ok ? genome.value : null,
    supernet: hasSupernet ? { archId: text('supernetArchId'), choicePath } : null,
    inputChannels: json('inputChannels', isCount, 'a positive integer'),
    channelNames: json('channelNames', isStringArray, 'a JSON list of names'),
    classes: json('classes', isCount, 'a positive integer'),
    labelNames: json('labelNames', isStringArray, 'a JSON list of names'),
    labelValues: json('labelValues', (value) => Array.isArray(value) && value.every((item) => Number.isInteger(item) && item >= 0), 'a JSON list of label values'),
    targetSpacing: json('targetSpacing', isTriple, 'a JSON list of 3 numbers'),
    normalization: json('normalization', (value) => value !== undefined, 'JSON') as JsonValue,
    patchSize: json('patchSize', isTriple, 'a JSON list of 3 numbers'),
    sizeDivisor: json('sizeDivisor', isCount, 'a positive integer'),
  };
  const known = new Set<string>(METADATA_KEYS);
  const extra = Object.fromEntries(Object.entries(props).filter(([key]) => !known.has(key)));
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { ...(metadata as ExportedOnnxMetadata), ...(Object.keys(extra).length > 0 ? { extra } : {}) } };
}
