import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CODEC_MODULES, wasmModule } from '../../../../engine/io/dicom/codecs/wasm.ts';
import { parseDicomBuffer, parseDicomFile, type ParsedDicom } from '../../../../engine/io/dicom/parse.ts';
import { decodePixelData, type DecodedPixels } from '../../../../engine/io/dicom/pixel-data.ts';

/**
 * The DICOM parsing and pixel decoding layer against real files (shared/data/samples, beside the
 * repository) and against pydicom + GDCM's answers for them (test/fixtures/dicom-pixels.json, made by
 * scripts/reference/make_dicom_pixels.py).
 */

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const SAMPLES = resolve(REPO, '../shared/data/samples');
const sample = (name: string): string => resolve(SAMPLES, name);

interface Reference {
  transferSyntax?: string;
  rows?: number;
  columns?: number;
  frames?: number;
  samplesPerPixel?: number;
  sourceDtype?: string;
  photometric?: string;
  min?: number;
  max?: number;
  sum?: number;
  tolerance?: { minMax: number; mean: number };
  nearLosslessOf?: string;
  maxError?: number;
  error?: string;
}

const fixture = JSON.parse(readFileSync(resolve(REPO, 'test/fixtures/dicom-pixels.json'), 'utf8')) as { files: Record<string, Reference> };

async function decode(path: string): Promise<DecodedPixels> {
  return decodePixelData(await parseDicomFile(path));
}

function stats(data: ArrayLike<number>): { min: number; max: number; sum: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let index = 0; index < data.length; index += 1) {
    const value = data[index]!;
    if (value < min) min = value;
    if (value > max) max = value;
    sum += value;
  }
  return { min, max, sum };
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let index = 0; index < a.length; index += 1) worst = Math.max(worst, Math.abs(a[index]! - b[index]!));
  return worst;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What we expect instead of pixels for the files pydicom could not decode (default: "has no pixel data"). */
const EXPECTED_ERRORS: Record<string, RegExp> = {
  'pydicom-debian/MR_truncated.dcm': /is truncated: its pixel data is 8130 bytes, expected 8192/,
  'pydicom-debian/badVR.dcm': /non-numeric value "1A" in Number of Frames \(0028,0008\)/,
  'pydicom-debian/nested_priv_SQ.dcm': /has pixel data but no Rows \(0028,0010\)/,
  'pydicom-debian/no_meta.dcm': /is not a DICOM file/,
  'pydicom-debian/dicomdirtests/TINY_ALPHA/README': /is not a DICOM file/,
  'pydicom-debian/dicomdirtests/DICOMDIR-nooffset': /a sequence or item is longer than the data that holds it/,
};

type Row = Record<string, unknown>;

/** Our answer for one sample, shaped like its fixture entry so that one deep equality compares them all. */
async function ourRow(name: string, reference: Reference): Promise<Row> {
  let pixels: DecodedPixels;
  try {
    pixels = await decode(sample(name));
  } catch (error) {
    return { error: (error as Error).name, message: (error as Error).message };
  }
  const { rows, columns, frames, samplesPerPixel, sourceDtype, photometric } = pixels;
  const row: Row = { rows, columns, frames, samplesPerPixel, sourceDtype, photometric, ...stats(pixels.data) };
  if (reference.nearLosslessOf) {
    // JPEG-LS near-lossless: every value within NEAR of the lossless original.
    const error = maxAbsDifference(pixels.data, (await decode(sample(reference.nearLosslessOf))).data);
    return { ...row, min: undefined, max: undefined, sum: undefined, maxError: error <= reference.maxError! ? reference.maxError : error };
  }
  if (reference.tolerance && reference.min !== undefined) {
    // Lossy: within the fixture's tolerance, report the reference's numbers (a failure shows ours).
    const { minMax, mean } = reference.tolerance;
    const close = Math.abs((row.min as number) - reference.min) <= minMax && Math.abs((row.max as number) - reference.max!) <= minMax && Math.abs((row.sum as number) - reference.sum!) / pixels.data.length <= mean;
    if (close) Object.assign(row, { min: reference.min, max: reference.max, sum: reference.sum });
  }
  return row;
}

function expectedRow(name: string, reference: Reference): Row {
  if (reference.error) {
    const pattern = EXPECTED_ERRORS[name] ?? /has no pixel data/;
    return { error: 'InputError', message: expect.stringMatching(new RegExp(`^${escape(sample(name))}: .*${pattern.source}`)) };
  }
  const { rows, columns, frames, samplesPerPixel, sourceDtype, photometric, min, max, sum } = reference;
  const row: Row = { rows, columns, frames, samplesPerPixel, sourceDtype, photometric, min, max, sum };
  if (reference.nearLosslessOf) row.maxError = reference.maxError;
  return row;
}

describe('DICOM pixel data: every sample file against pydicom + GDCM', () => {
  it('decodes every sample pydicom decodes to the same stored values, and refuses the others with an InputError', async () => {
    const actual: Record<string, Row> = {};
    const expected: Record<string, Row> = {};
    for (const [name, reference] of Object.entries(fixture.files)) {
      actual[name] = await ourRow(name, reference);
      expected[name] = expectedRow(name, reference);
    }
    expect(Object.keys(expected).length).toBeGreaterThan(400);
    expect(actual).toEqual(expected);
  }, 60_000);
});

describe('DICOM pixel data: one image in many encodings', () => {
  async function compareWith(reference: string, others: string[]): Promise<Record<string, Row>> {
    const base = await decode(sample(reference));
    const table: Record<string, Row> = {};
    for (const name of others) {
      const pixels = await decode(sample(name));
      table[name] = { transferSyntax: pixels.transferSyntaxUID, sourceDtype: pixels.sourceDtype, frames: pixels.frames, maxAbsDifference: maxAbsDifference(pixels.data, base.data) };
    }
    return table;
  }
  const identical = (table: Record<string, Row>): Record<string, Row> => Object.fromEntries(Object.entries(table).map(([name, row]) => [name, { ...row, maxAbsDifference: 0 }]));

  it('MR_small: explicit / implicit / big endian / RLE / JPEG 2000 / padded / gzip give identical values', async () => {
    const others = ['MR_small_implicit.dcm', 'MR_small_bigendian.dcm', 'MR_small_expb.dcm', 'MR_small_RLE.dcm', 'MR_small_jp2klossless.dcm', 'MR_small_padded.dcm', 'zipMR.gz'].map((name) => `pydicom-debian/${name}`);
    const table = await compareWith('pydicom-debian/MR_small.dcm', others);
    expect(table).toEqual(identical(table));
    expect(new Set(Object.values(table).map((row) => row.transferSyntax)).size).toBe(5);
  });

  it('dcm_qa_ts In/1..9: every transfer syntax gives identical pixels', async () => {
    const table = await compareWith('dcm_qa_ts/In/1.dcm', ['2', '3', '5', '6', '7', '9'].map((name) => `dcm_qa_ts/In/${name}.dcm`));
    expect(table).toEqual(identical(table));
  });

  it('CT0012: multi-frame files with empty offset tables and several fragments per frame decode both frames', async () => {
    const folder = 'dicomParser/encapsulated/multi-frame';
    const lossless = ['fragmented_no_bot_jpeg_lossless.70', 'fragmented_no_bot_jpeg_ls.80', 'not_fragmented_no_bot_jpeg_ls.80', 'not_fragmented_bot_jpeg_ls.80', 'not_fragmented_bot_rle'];
    const files = lossless.map((name) => `${folder}/CT0012.${name}.dcm`);
    const layout = async (name: string) => {
      const { dataSet } = await parseDicomFile(sample(name));
      const element = dataSet.elements['x7fe00010']!;
      return { offsetTable: element.basicOffsetTable!.length, fragments: element.fragments!.length };
    };
    // The fragmented files really exercise frame finding: empty offset table, more fragments than frames.
    for (const name of [files[0]!, files[1]!]) expect(await layout(name)).toEqual({ offsetTable: 0, fragments: expect.any(Number) });
    expect((await layout(files[0]!)).fragments).toBeGreaterThan(2);

    const table = await compareWith(`${folder}/CT0012.explicit_little_endian.dcm`, files);
    expect(table).toEqual(Object.fromEntries(Object.entries(identical(table)).map(([name, row]) => [name, { ...row, frames: 2 }])));

    // The lossy copies: 12-bit JPEG Extended and the 8-frame colour ultrasound in JPEG Baseline (44 fragments).
    const original = await decode(sample(`${folder}/CT0012.explicit_little_endian.dcm`));
    const extended = await decode(sample(`${folder}/CT0012.fragmented_no_bot_jpeg_baseline.51.dcm`));
    const ultrasound = await decode(sample(`${folder}/IM00001.fragmented_no_bot_jpeg_baseline.50.dcm`));
    const ultrasoundRaw = await decode(sample(`${folder}/IM00001.implicit_little_endian.dcm`));
    const meanAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((total, value, index) => total + Math.abs(value - b[index]!), 0) / a.length;
    expect({ frames: extended.frames, photometric: ultrasound.photometric, ultrasoundFrames: ultrasound.frames }).toEqual({ frames: 2, photometric: 'RGB', ultrasoundFrames: 8 });
    // This file's encoder stored every value 1024 higher than the original (its header still says
    // intercept -1024); pydicom + GDCM read the same values (see the fixture). Quality 90: ~1 unit off.
    expect(meanAbs(Array.from(extended.data, (value) => value - 1024), original.data)).toBeLessThan(2);
    expect(meanAbs(ultrasound.data, ultrasoundRaw.data)).toBeLessThan(3);
  });
});

// ---------------------------------------------------------------------------------------------------
// Synthetic files: HTJ2K (no sample exists) and the refusals.

/** One explicit-VR-little-endian element. */
function element(tag: number, vr: string, value: Uint8Array | string | number, undefinedLength = false): Uint8Array {
  let bytes: Uint8Array;
  if (typeof value === 'number') bytes = new Uint8Array(new Uint16Array([value]).buffer);
  else if (typeof value === 'string') bytes = new TextEncoder().encode(value.length % 2 ? `${value}${vr === 'UI' ? '\0' : ' '}` : value);
  else bytes = value;
  const long = ['OB', 'OW', 'SQ', 'UN', 'UT'].includes(vr);
  const header = new DataView(new ArrayBuffer(long ? 12 : 8));
  header.setUint16(0, tag >>> 16, true);
  header.setUint16(2, tag & 0xffff, true);
  header.setUint8(4, vr.charCodeAt(0));
  header.setUint8(5, vr.charCodeAt(1));
  if (long) header.setUint32(8, undefinedLength ? 0xffffffff : bytes.length, true);
  else header.setUint16(6, bytes.length, true);
  return concat([new Uint8Array(header.buffer), bytes]);
}

function item(tag: number, bytes: Uint8Array): Uint8Array {
  const header = new DataView(new ArrayBuffer(8));
  header.setUint16(0, 0xfffe, true);
  header.setUint16(2, tag, true);
  header.setUint32(4, bytes.length, true);
  return concat([new Uint8Array(header.buffer), bytes]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

interface SyntheticSpec {
  transferSyntax: string;
  rows: number;
  columns: number;
  bitsAllocated: number;
  signed: boolean;
  frames: number;
  /** Encapsulated: fragments (empty Basic Offset Table); native: the Pixel Data value. */
  fragments?: Uint8Array[];
  pixelData?: Uint8Array;
}

/** A minimal DICOM Part 10 file: preamble, meta header, Image Pixel module, Pixel Data. */
function syntheticDicom(spec: SyntheticSpec): Uint8Array {
  const meta = element(0x00020010, 'UI', spec.transferSyntax);
  const pixelData = spec.fragments
    ? concat([element(0x7fe00010, 'OB', new Uint8Array(0), true), item(0xe000, new Uint8Array(0)), ...spec.fragments.map((fragment) => item(0xe000, fragment)), item(0xe0dd, new Uint8Array(0))])
    : element(0x7fe00010, 'OW', spec.pixelData!);
  return concat([
    new Uint8Array(128),
    new TextEncoder().encode('DICM'),
    meta,
    element(0x00280002, 'US', 1),
    element(0x00280004, 'CS', 'MONOCHROME2'),
    element(0x00280008, 'IS', String(spec.frames)),
    element(0x00280010, 'US', spec.rows),
    element(0x00280011, 'US', spec.columns),
    element(0x00280100, 'US', spec.bitsAllocated),
    element(0x00280101, 'US', spec.bitsAllocated),
    element(0x00280102, 'US', spec.bitsAllocated - 1),
    element(0x00280103, 'US', spec.signed ? 1 : 0),
    pixelData,
  ]);
}

interface Htj2kEncoder {
  getDecodedBuffer(info: object): Uint8Array;
  setQuality(lossless: boolean, quantizationStep: number): void;
  encode(): void;
  getEncodedBuffer(): Uint8Array;
  delete(): void;
}

/** Encodes an int16 frame losslessly with OpenJPH's encoder (the same package that decodes HTJ2K). */
async function encodeHtj2k(pixels: Int16Array, rows: number, columns: number): Promise<Uint8Array> {
  const module = await wasmModule<{ HTJ2KEncoder: new () => Htj2kEncoder }>({ label: 'OpenJPH encoder', ...CODEC_MODULES.openjph }).get();
  const encoder = new module.HTJ2KEncoder();
  try {
    encoder.getDecodedBuffer({ width: columns, height: rows, bitsPerSample: 16, componentCount: 1, isSigned: true, isUsingColorTransform: false }).set(new Uint8Array(pixels.buffer));
    encoder.setQuality(true, 0);
    encoder.encode();
    return encoder.getEncodedBuffer().slice();
  } finally {
    encoder.delete();
  }
}

describe('DICOM pixel data: synthetic files', () => {
  const rows = 24;
  const columns = 40;
  const frame = (offset: number) => Int16Array.from({ length: rows * columns }, (_unused, index) => ((index * 37 + offset) % 3000) - 1500);

  it('HTJ2K lossless: two frames, one fragment each or split over several fragments, decode exactly', async () => {
    const frames = [frame(0), frame(911)];
    const streams = await Promise.all(frames.map((pixels) => encodeHtj2k(pixels, rows, columns)));
    const split = streams.flatMap((stream) => [stream.subarray(0, 100), stream.subarray(100, 333), stream.subarray(333)]);
    const table: Record<string, Row> = {};
    for (const [label, fragments] of [['one fragment per frame', streams], ['three fragments per frame', split]] as const) {
      const bytes = syntheticDicom({ transferSyntax: '1.2.840.10008.1.2.4.201', rows, columns, bitsAllocated: 16, signed: true, frames: 2, fragments: [...fragments] });
      const pixels = await decodePixelData(parseDicomBuffer(bytes, `${label}.dcm`));
      table[label] = { sourceDtype: pixels.sourceDtype, frames: pixels.frames, maxAbsDifference: maxAbsDifference(pixels.data, Int16Array.from([...frames[0]!, ...frames[1]!])) };
    }
    expect(table).toEqual({
      'one fragment per frame': { sourceDtype: 'int16', frames: 2, maxAbsDifference: 0 },
      'three fragments per frame': { sourceDtype: 'int16', frames: 2, maxAbsDifference: 0 },
    });
  });

  it('refuses what it cannot decode with an InputError that names the file, the problem and what to do', async () => {
    const ct = readFileSync(sample('totalsegmentator/example_ct_dicom/CT.1.3.12.2.1107.5.1.4.60064.30000022120808113428000016573'));
    const native = (overrides: Partial<SyntheticSpec>) => syntheticDicom({ transferSyntax: '1.2.840.10008.1.2.1', rows: 2, columns: 2, bitsAllocated: 16, signed: false, frames: 1, pixelData: new Uint8Array(8), ...overrides });
    const cases: Record<string, () => Promise<unknown>> = {
      'unknown transfer syntax': async () => decodePixelData(parseDicomBuffer(native({ transferSyntax: '1.2.3.4.5' }), 'unknown-ts.dcm')),
      'JPEG XL (known, not supported)': async () => decodePixelData(parseDicomBuffer(native({ transferSyntax: '1.2.840.10008.1.2.4.110', fragments: [new Uint8Array(8)] }), 'jpeg-xl.dcm')),
      '32-bit JPEG 2000': async () => decodePixelData(parseDicomBuffer(native({ transferSyntax: '1.2.840.10008.1.2.4.90', bitsAllocated: 32, fragments: [new Uint8Array(8)] }), 'j2k-32.dcm')),
      'pixel data shorter than the header says': async () => decodePixelData(parseDicomBuffer(native({ rows: 3 }), 'short.dcm')),
      'damaged JPEG 2000 stream': async () => decodePixelData(parseDicomBuffer(native({ transferSyntax: '1.2.840.10008.1.2.4.90', fragments: [new Uint8Array([0xff, 0x4f, 0xff, 0x51, 1, 2, 3, 4])] }), 'bad-j2k.dcm')),
      'more frames than fragments': async () => decodePixelData(parseDicomBuffer(native({ transferSyntax: '1.2.840.10008.1.2.5', frames: 3, fragments: [new Uint8Array(64)] }), 'rle-frames.dcm')),
      'file cut inside compressed pixel data': async () => decodePixelData(parseDicomBuffer(new Uint8Array(ct.subarray(0, Math.floor(ct.length * 0.6))), 'cut-j2k.dcm')),
      'a NIfTI-named text file': async () => parseDicomFile(sample('nibabel-git/invalid.nii')),
      'not a DICOM file': async () => parseDicomFile(sample('nifti-reader-js/not-nifti.nii')),
      'a missing file': async () => parseDicomFile(sample('no/such/file.dcm')),
      'a folder': async () => parseDicomFile(sample('dcm_qa_ts')),
    };
    const outcomes: Record<string, string> = {};
    for (const [label, run] of Object.entries(cases)) {
      outcomes[label] = await run().then(
        () => 'decoded',
        (error: Error) => `${error.name}: ${error.message}`,
      );
    }
    const inputError = (file: string, problem: RegExp) => expect.stringMatching(new RegExp(`^InputError: ${escape(file)}: ${problem.source}.*\\. \\S`));
    expect(outcomes).toEqual({
      'unknown transfer syntax': inputError('unknown-ts.dcm', /uses transfer syntax 1\.2\.3\.4\.5, which VoxNAS cannot decode/),
      'JPEG XL (known, not supported)': inputError('jpeg-xl.dcm', /uses JPEG XL Lossless \(1\.2\.840\.10008\.1\.2\.4\.110\), which VoxNAS cannot decode/),
      '32-bit JPEG 2000': inputError('j2k-32.dcm', /has 32-bit samples in JPEG 2000 .*no decoder/),
      'pixel data shorter than the header says': inputError('short.dcm', /is truncated: its pixel data is 8 bytes, expected 12/),
      'damaged JPEG 2000 stream': inputError('bad-j2k.dcm', /frame 1 of 1 could not be decoded as JPEG 2000/),
      'more frames than fragments': inputError('rle-frames.dcm', /has unreadable RLE Lossless .* the header says 3 frames but the pixel data holds only 1 fragments/),
      'file cut inside compressed pixel data': inputError('cut-j2k.dcm', /has unreadable JPEG 2000 .* the file is truncated/),
      'a NIfTI-named text file': inputError(sample('nibabel-git/invalid.nii'), /is not a DICOM file/),
      'not a DICOM file': inputError(sample('nifti-reader-js/not-nifti.nii'), /is not a DICOM file/),
      'a missing file': inputError(sample('no/such/file.dcm'), /does not exist/),
      'a folder': inputError(sample('dcm_qa_ts'), /is a folder/),
    });
  });
});

describe('DICOM pixel data: damaged files end in bounded time', () => {
  it('truncated or byte-flipped compressed files give pixels or an InputError, never another error or a hang', async () => {
    const files = [
      'dicomParser/encapsulated/multi-frame/CT0012.fragmented_no_bot_jpeg_lossless.70.dcm',
      'dcm_qa_ts/In/7.dcm',
      'pydicom-debian/693_J2KI.dcm',
      'pydicom-debian/SC_rgb_jpeg_dcmtk.dcm',
      'pydicom-debian/JPGExtended.dcm',
      'dicomParser/encapsulated/multi-frame/CT0012.not_fragmented_bot_rle.dcm',
    ];
    let seed = 20240601;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const table: Record<string, string[]> = {};
    for (const name of files) {
      const bytes = new Uint8Array(readFileSync(sample(name)));
      const start = parseDicomBuffer(bytes, name).dataSet.elements['x7fe00010']!.dataOffset + 16;
      table[name] = [];
      for (let trial = 0; trial < 12; trial += 1) {
        const damaged = bytes.slice();
        const input = trial < 4 ? damaged.subarray(0, start + Math.floor((bytes.length - start) * random())) : damaged;
        for (let flip = 0; trial >= 4 && flip < trial; flip += 1) damaged[start + Math.floor((bytes.length - start - 8) * random())] = Math.floor(random() * 256);
        const began = performance.now();
        const outcome = await decodePixelData(parseDicomBuffer(input, name)).then(
          () => 'pixels',
          (error: Error) => error.name,
        );
        if (outcome !== 'pixels' && outcome !== 'InputError') table[name].push(`trial ${trial}: ${outcome}`);
        if (performance.now() - began > 5_000) table[name].push(`trial ${trial}: took ${Math.round(performance.now() - began)} ms`);
      }
    }
    expect(table).toEqual(Object.fromEntries(files.map((name) => [name, []])));
  }, 60_000);
});

describe('DICOM parsing', () => {
  it('reads files without preamble or meta header, deflated and gzipped files, and gives typed values', async () => {
    const facts = (parsed: ParsedDicom) => ({
      transferSyntax: parsed.transferSyntaxUID,
      hasMeta: parsed.meta !== undefined,
      modality: parsed.string('x00080060'),
      warnings: parsed.warnings.length > 0,
    });
    const table: Record<string, Row> = {};
    for (const name of ['pydicom-debian/ExplVR_LitEndNoMeta.dcm', 'pydicom-debian/ExplVR_BigEndNoMeta.dcm', 'pydicom-debian/rtstruct.dcm', 'dicomParser/deflate/report_dfl', 'pydicom-debian/zipMR.gz']) {
      table[name] = facts(await parseDicomFile(sample(name)));
    }
    expect(table).toEqual({
      'pydicom-debian/ExplVR_LitEndNoMeta.dcm': { transferSyntax: '1.2.840.10008.1.2.1', hasMeta: false, modality: 'RTPLAN', warnings: true },
      'pydicom-debian/ExplVR_BigEndNoMeta.dcm': { transferSyntax: '1.2.840.10008.1.2.2', hasMeta: false, modality: 'RTPLAN', warnings: true },
      'pydicom-debian/rtstruct.dcm': { transferSyntax: '1.2.840.10008.1.2', hasMeta: false, modality: 'RTSTRUCT', warnings: true },
      'dicomParser/deflate/report_dfl': { transferSyntax: '1.2.840.10008.1.2.1.99', hasMeta: true, modality: 'SR', warnings: false },
      'pydicom-debian/zipMR.gz': { transferSyntax: '1.2.840.10008.1.2.1', hasMeta: true, modality: 'MR', warnings: true },
    });

    const ct = await parseDicomFile(sample('dcmqi/segmentations/ct-3slice/01.dcm')); // implicit VR: no VRs in the file
    const truncated = await parseDicomFile(sample('pydicom-debian/MR_truncated.dcm'));
    expect({
      rows: ct.number('x00280010'),
      pixelSpacing: ct.numbers('x00280030'),
      imagePosition: ct.numbers('x00200032').length,
      absent: ct.numbers('x00181234'),
      frames: () => ct.number('x00280008'),
      truncated: truncated.truncated,
    }).toEqual({ rows: 512, pixelSpacing: [0.810547, 0.810547], imagePosition: 3, absent: [], frames: expect.any(Function), truncated: { tag: 'x7fe00010', declared: 8192, available: 8130 } });
  });
});
