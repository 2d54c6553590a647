import { createRequire } from 'node:module';
import type * as DicomParser from 'dicom-parser';
import type { DataSet, Element, Fragment } from 'dicom-parser';
import type { CodecId } from './transfer-syntaxes.ts';

/**
 * Splits encapsulated pixel data (PS3.5 A.4) into frames. Which fragments make up which frame, in order
 * of trust:
 * 1. the Extended Offset Table (7FE0,0001), when it lists one offset per frame;
 * 2. the Basic Offset Table (the first item), when it lists one offset per frame;
 * 3. one frame: all fragments;
 * 4. as many fragments as frames: one fragment each (always the case for RLE, PS3.5 G.2);
 * 5. otherwise (an empty offset table and several fragments per frame): a frame starts at a fragment
 *    that opens with the codec's start marker (JPEG SOI FFD8, JPEG 2000 SOC FF4F FF51 or a JP2
 *    signature box) right after a fragment that closes with the end marker FFD9 (JPEG EOI / J2K EOC,
 *    allowing one padding byte). Marker bytes FFD8 cannot occur inside JPEG entropy-coded data, so this
 *    is reliable for real files. If that does not give exactly `frames` frames, start markers alone are
 *    tried, and then we give up with a message.
 *
 * Contract: returns exactly `frames` byte arrays, or throws `FrameSplitError`; linear in the fragment count.
 */

const requireHere = createRequire(import.meta.url);
const dicomParser = requireHere('dicom-parser') as typeof DicomParser;

export class FrameSplitError extends Error {
  override readonly name = 'FrameSplitError';
}

const EXTENDED_OFFSET_TABLE = 'x7fe00001';

/** Which fragments (first index, count) belong to each frame. */
type FrameFragments = { first: number; count: number }[];

export function encapsulatedFrames(dataSet: DataSet, element: Element, frames: number, codec: CodecId): Uint8Array[] {
  const fragments = element.fragments ?? [];
  if (fragments.length === 0) throw new FrameSplitError('the encapsulated pixel data holds no fragments');
  for (const [index, fragment] of fragments.entries()) {
    if (fragment.position + fragment.length > dataSet.byteArray.length) {
      throw new FrameSplitError(`the file is truncated: fragment ${index + 1} of the pixel data needs ${fragment.length} bytes, the file holds ${Math.max(0, dataSet.byteArray.length - fragment.position)}`);
    }
  }
  if (frames > fragments.length) throw new FrameSplitError(`the header says ${frames} frames but the pixel data holds only ${fragments.length} fragments`);

  const layout =
    fromOffsets(extendedOffsets(dataSet), fragments, frames) ??
    fromOffsets(element.basicOffsetTable ?? [], fragments, frames) ??
    (frames === 1 ? [{ first: 0, count: fragments.length }] : undefined) ??
    (fragments.length === frames ? fragments.map((_fragment, index) => ({ first: index, count: 1 })) : undefined) ??
    fromMarkers(dataSet, fragments, frames, codec, true) ??
    fromMarkers(dataSet, fragments, frames, codec, false);
  if (!layout) {
    throw new FrameSplitError(`could not tell which of the ${fragments.length} fragments belong to which of the ${frames} frames (the offset table is empty and the fragments carry no frame markers)`);
  }
  return layout.map(({ first, count }) => (count === 1 ? fragmentBytes(dataSet, fragments[first]!) : new Uint8Array(dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, first, count))));
}

function fragmentBytes(dataSet: DataSet, fragment: Fragment): Uint8Array {
  return dataSet.byteArray.subarray(fragment.position, fragment.position + fragment.length);
}

/** Offsets of the Extended Offset Table (64-bit little-endian values), or [] if absent. */
function extendedOffsets(dataSet: DataSet): number[] {
  const element = dataSet.elements[EXTENDED_OFFSET_TABLE];
  if (!element || element.length < 8) return [];
  const view = new DataView(dataSet.byteArray.buffer, dataSet.byteArray.byteOffset + element.dataOffset, element.length);
  return Array.from({ length: Math.floor(element.length / 8) }, (_unused, index) => Number(view.getBigUint64(index * 8, true)));
}

/** Frames from an offset table (offsets of each frame's first fragment item, relative to the first item after the table). */
function fromOffsets(offsets: number[], fragments: Fragment[], frames: number): FrameFragments | undefined {
  if (offsets.length !== frames) return undefined;
  const firstFragment = new Map(fragments.map((fragment, index) => [fragment.offset, index]));
  const firsts = offsets.map((offset) => firstFragment.get(offset));
  if (firsts.some((first, index) => first === undefined || (index > 0 && first <= firsts[index - 1]!))) return undefined;
  return firsts.map((first, index) => ({ first: first!, count: (index + 1 < firsts.length ? firsts[index + 1]! : fragments.length) - first! }));
}

const startsWith = (bytes: Uint8Array, prefix: number[]): boolean => prefix.every((byte, index) => bytes[index] === byte);

/** Does this fragment open a frame in the codec's stream format? */
function opensFrame(bytes: Uint8Array, codec: CodecId): boolean {
  if (codec === 'jpeg' || codec === 'jpeg-lossless' || codec === 'jpeg-ls') return startsWith(bytes, [0xff, 0xd8]);
  if (codec === 'jpeg2000' || codec === 'htj2k') return startsWith(bytes, [0xff, 0x4f, 0xff, 0x51]) || startsWith(bytes, [0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20]);
  return false;
}

/** Does this fragment close a frame: FFD9 (JPEG EOI, J2K EOC) at the end, or before one padding byte? */
function closesFrame(bytes: Uint8Array): boolean {
  const end = bytes.length;
  return (bytes[end - 2] === 0xff && bytes[end - 1] === 0xd9) || (bytes[end - 3] === 0xff && bytes[end - 2] === 0xd9 && bytes[end - 1] === 0);
}

function fromMarkers(dataSet: DataSet, fragments: Fragment[], frames: number, codec: CodecId, requireEndMarker: boolean): FrameFragments | undefined {
  const starts: number[] = [];
  for (const [index, fragment] of fragments.entries()) {
    const bytes = fragmentBytes(dataSet, fragment);
    const previousCloses = index === 0 || !requireEndMarker || closesFrame(fragmentBytes(dataSet, fragments[index - 1]!));
    if (opensFrame(bytes, codec) && previousCloses) starts.push(index);
  }
  if (starts.length !== frames || starts[0] !== 0) return undefined;
  return starts.map((first, index) => ({ first, count: (index + 1 < starts.length ? starts[index + 1]! : fragments.length) - first }));
}
