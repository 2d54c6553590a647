#!/usr/bin/python3
"""Reference values for our NIfTI / DICOM readers, computed with Debian's nibabel and pydicom (+GDCM).

Writes test/fixtures/reference/samples.json. The TypeScript tests compare engine/io readers against that
file and never run Python; only this generator needs python3-nibabel, python3-pydicom, python3-gdcm and
python3-numpy (Debian packages). The conventions (dims, affine, stats...) are documented in
test/fixtures/reference/README.md and must match engine/io/volume.ts.

Usage (from the repository root):
    /usr/bin/python3 scripts/reference/make_reference.py [DATA_ROOT]      # default: ../shared/data
"""
import argparse
import copy
import csv
import gzip
import io
import json
import math
import os
import re
import sys
import warnings

import gdcm
import nibabel as nib
import numpy as np
import pydicom
from pydicom.encaps import encapsulate, generate_pixel_data_fragment, generate_pixel_data_frame, get_frame_offsets
from pydicom.errors import InvalidDicomError
from pydicom.filebase import DicomBytesIO
from pydicom.pixel_data_handlers.util import convert_color_space

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
OUTPUT = os.path.join(REPO_ROOT, 'test', 'fixtures', 'reference', 'samples.json')
GENERATOR = 'scripts/reference/make_reference.py'

NIFTI_RE = re.compile(r'\.(nii|nii\.gz|hdr|hdr\.gz)$')
PAIR_DATA_RE = re.compile(r'\.(img|img\.gz)$')
NRRD_RE = re.compile(r'\.nrrd$')
# Documentation next to the data (a bare "README" is not listed: dicomdirtests/TINY_ALPHA/README is
# a DICOMDIR descriptor file that the inventory treats as DICOM, so we try it as DICOM too).
DOC_RE = re.compile(r'(\.(md|txt|json|tsv)$|^LICENSE|COPYRIGHT)')
LOSSY_TS = {'1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51', '1.2.840.10008.1.2.4.81', '1.2.840.10008.1.2.4.91',
            '1.2.840.10008.1.2.4.203'}
UNEVEN_MM = 0.01  # slice gaps differing by more than this (mm) make a stack "uneven"


# ---------------------------------------------------------------- number formatting

def num(value, digits=10):
    """A float with `digits` significant digits (integral values stay exact ints); -0 becomes 0."""
    value = float(value)
    if not math.isfinite(value):
        return None
    if value == int(value) and abs(value) < 2 ** 53:
        return int(value)
    return float(f'{value:.{digits}g}') + 0.0


def geo(value):
    """Geometry numbers (affine, spacing): 8 decimals, so exact to well below 1e-6."""
    rounded = round(float(value), 8) + 0.0
    return int(rounded) if rounded == int(rounded) else rounded


def matrix(m):
    return [[geo(v) for v in row] for row in np.asarray(m, dtype=np.float64)]


def stats(values):
    """min/max/sum/mean over all finite values (volume.ts voxelStats skips non-finite values)."""
    flat = np.asarray(values).ravel()
    if flat.dtype.kind == 'f':
        finite = np.isfinite(flat)
        non_finite = int(flat.size - np.count_nonzero(finite))
        if non_finite:
            flat = flat[finite]
        total = float(np.sum(flat, dtype=np.float64))
    else:
        non_finite = 0
        total = int(np.sum(flat, dtype=np.int64))  # exact for integer data
    out = {'min': None, 'max': None, 'sum': num(total), 'mean': None}
    if flat.size:
        out.update(min=num(flat.min()), max=num(flat.max()), mean=num(total / flat.size))
    if non_finite:
        out['nonFinite'] = non_finite
    return out


def short_error(exc, data_root=None):
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ''
    if data_root:
        text = text.replace(data_root.rstrip('/') + '/', '')
    text = f'{type(exc).__name__}: {text}'
    return text if len(text) <= 200 else text[:197] + '...'


def spacing_of(affine):
    """Column lengths of the 3x3 part (what volume.ts geometryFromAffineRas calls spacing; 0 -> 1)."""
    lengths = np.linalg.norm(np.asarray(affine, dtype=np.float64)[:3, :3], axis=0)
    return [geo(v if v > 0 else 1.0) for v in lengths]


# ---------------------------------------------------------------- NIfTI

def nifti_entry(path, rel, data_root):
    entry = {'path': rel, 'kind': 'nifti'}
    try:
        img = nib.load(path)
        data = img.get_fdata()  # scl_slope / scl_inter applied
    except Exception as exc:  # nibabel cannot read it
        entry.update(readable=False, error=short_error(exc, data_root))
        return entry
    hdr = img.header
    shape = list(img.shape)
    dims = (shape + [1, 1, 1])[:3]
    channels = int(np.prod(shape[3:])) if len(shape) > 3 else 1
    on_disk = hdr.get_data_dtype()
    dtype = 'rgb24' if on_disk.names == ('R', 'G', 'B') else on_disk.newbyteorder('=').name
    affine = img.affine
    entry.update(readable=True, dims=dims, channels=channels, affine=matrix(affine), spacing=spacing_of(affine),
                 dtype=dtype, stats=stats(data))
    entry['shape'] = shape
    entry['niftiVersion'] = 2 if isinstance(img, (nib.Nifti2Image, nib.Nifti2Pair)) else 1
    entry['bigEndian'] = on_disk.byteorder == '>' or (on_disk.byteorder == '=' and sys.byteorder == 'big')
    entry['qformCode'] = int(hdr['qform_code'])
    entry['sformCode'] = int(hdr['sform_code'])
    slope, inter = hdr.get_slope_inter()
    if slope is not None and (slope != 1 or (inter or 0) != 0):
        entry['sclSlope'] = num(slope)
        entry['sclInter'] = num(inter or 0)
    zooms = [float(z) for z in hdr.get_zooms()[:3]]
    if any(abs(z - s) > 1e-5 for z, s in zip(zooms, entry['spacing'])):
        entry['pixdim'] = [geo(z) for z in zooms]  # header pixdim differs from the affine's column lengths
    extensions = len(hdr.extensions) if hasattr(hdr, 'extensions') else 0
    if extensions:
        entry['extensions'] = extensions
    if rel.endswith(('.hdr', '.hdr.gz')):
        entry['pair'] = True
    return entry


# ---------------------------------------------------------------- DICOM helpers

def read_dicom(path):
    """(dataset, facts) with gzip and force=True fallbacks; raises when pydicom cannot parse it at all."""
    with open(path, 'rb') as handle:
        raw = handle.read()
    facts = {}
    if raw[:2] == b'\x1f\x8b':
        raw = gzip.decompress(raw)
        facts['gzip'] = True
    try:
        ds = pydicom.dcmread(io.BytesIO(raw))
    except InvalidDicomError:
        ds = pydicom.dcmread(io.BytesIO(raw), force=True)  # no preamble / no meta header
        facts['forced'] = True
        head = raw[:512]
        if head and all(32 <= b < 127 or b in (9, 10, 13) for b in head):
            facts['note'] = 'plain text, not DICOM; pydicom only parses it with force=True'
        elif not any(elem.keyword for elem in ds):
            facts['note'] = 'force=True finds no standard DICOM element (the bytes do not start at a tag)'
    return ds, facts


def first_item(ds, keyword):
    seq = ds.get(keyword)
    return seq[0] if seq else None


def fg_value(ds, macro, keyword, frame=0):
    """A value from the top level, else the Shared, else the PerFrame functional groups (Enhanced objects)."""
    if keyword in ds and ds[keyword].value not in (None, ''):
        return ds[keyword].value
    groups = []
    shared = first_item(ds, 'SharedFunctionalGroupsSequence')
    if shared is not None:
        groups.append(shared)
    per_frame = ds.get('PerFrameFunctionalGroupsSequence')
    if per_frame and frame < len(per_frame):
        groups.append(per_frame[frame])
    for group in groups:
        item = first_item(group, macro)
        if item is not None and keyword in item and item[keyword].value not in (None, ''):
            return item[keyword].value
    return None


def floats(value, count=None):
    try:
        out = [float(v) for v in (value if isinstance(value, (list, tuple, pydicom.multival.MultiValue)) else [value])]
    except (TypeError, ValueError):
        return None
    return out if count is None or len(out) == count else None


def frame_count(ds):
    try:
        return max(1, int(ds.get('NumberOfFrames', 1) or 1))
    except (TypeError, ValueError):
        return 1


def orientation(ds):
    iop = floats(fg_value(ds, 'PlaneOrientationSequence', 'ImageOrientationPatient'), 6)
    if iop is None:
        return np.array([1.0, 0, 0]), np.array([0, 1.0, 0]), False
    return np.array(iop[:3]), np.array(iop[3:]), True


def slice_normal(r, c):
    """n = cross(r, c), not renormalised (as nibabel does); (0, 0, 1) for a degenerate orientation."""
    n = np.cross(r, c)
    return n if np.linalg.norm(n) > 1e-6 else np.array([0, 0, 1.0])


def pixel_spacing(ds):
    """[row spacing, column spacing] = DICOM PixelSpacing order (ImagerPixelSpacing as fallback, else 1)."""
    ps = floats(fg_value(ds, 'PixelMeasuresSequence', 'PixelSpacing'), 2)
    if ps is None:
        ps = floats(ds.get('ImagerPixelSpacing'), 2)
    return ps if ps is not None else [1.0, 1.0]


def one_slice_step(ds):
    """Thickness of a single slice: SpacingBetweenSlices, else SliceThickness > 0, else 1."""
    for keyword in ('SpacingBetweenSlices', 'SliceThickness'):
        value = floats(fg_value(ds, 'PixelMeasuresSequence', keyword), 1)
        if value is not None and value[0] > 0:
            return value[0]
    return 1.0


def lps_affine(r, c, ps, step, origin):
    a = np.eye(4)
    a[:3, 0] = r * ps[1]
    a[:3, 1] = c * ps[0]
    a[:3, 2] = step
    a[:3, 3] = origin
    return a


def to_ras(affine_lps):
    ras = np.array(affine_lps, dtype=np.float64)
    ras[:2, :] *= -1
    return ras


def gaps_info(keys):
    """Uneven / duplicate flags from slice positions projected on the normal (sorted ascending)."""
    gaps = np.diff(np.asarray(keys, dtype=np.float64))
    if gaps.size == 0:
        return {}
    out = {'uneven': bool(gaps.max() - gaps.min() > UNEVEN_MM)}
    if out['uneven']:
        out['sliceGaps'] = [geo(g) for g in gaps]
    if np.any(np.abs(gaps) < 1e-4):
        out['duplicatePositions'] = True
    return out


def rescale_for_frame(ds, frame):
    slope = floats(fg_value(ds, 'PixelValueTransformationSequence', 'RescaleSlope', frame), 1)
    inter = floats(fg_value(ds, 'PixelValueTransformationSequence', 'RescaleIntercept', frame), 1)
    return (slope[0] if slope else 1.0), (inter[0] if inter else 0.0)


def rescaled(ds, pixels, frames):
    """pixel_array * RescaleSlope + RescaleIntercept, per frame when the functional groups say so."""
    pairs = [rescale_for_frame(ds, f) for f in range(frames)]
    if all(p == (1.0, 0.0) for p in pairs):
        return pixels, pairs[0]
    if all(p == pairs[0] for p in pairs):
        slope, inter = pairs[0]
        if slope == 1.0 and inter == int(inter) and pixels.dtype.kind in 'iu':
            return pixels.astype(np.int64) + int(inter), pairs[0]
        return pixels.astype(np.float64) * slope + inter, pairs[0]
    stack = pixels.astype(np.float64)  # frames > 1 here: axis 0 is the frame
    for f, (slope, inter) in enumerate(pairs):
        stack[f] = stack[f] * slope + inter
    return stack, None


def dicom_dtype(ds):
    if 'FloatPixelData' in ds:
        return 'float32'
    if 'DoubleFloatPixelData' in ds:
        return 'float64'
    bits = int(ds.get('BitsAllocated', 0) or 0)
    samples = int(ds.get('SamplesPerPixel', 1) or 1)
    signed = int(ds.get('PixelRepresentation', 0) or 0) == 1
    if samples == 3 and bits == 8:
        return 'rgb24'
    if bits <= 8:
        return 'int8' if signed else 'uint8'
    return ('int' if signed else 'uint') + str(16 if bits <= 16 else 32)


def fragment_count(ds):
    fp = DicomBytesIO(ds.PixelData)
    fp.is_little_endian = True
    get_frame_offsets(fp)
    return sum(1 for _ in generate_pixel_data_fragment(fp))


def decode(ds, frames):
    """pydicom's pixel_array. For encapsulated multi-frame data with more fragments than frames,
    pydicom+GDCM can return garbage that changes from run to run (JPEG-LS without offset table), so we
    also decode frame by frame (pydicom splits frames, one fragment each) and prefer that when they differ."""
    ts = ds.file_meta.get('TransferSyntaxUID') if hasattr(ds, 'file_meta') else None
    pixels = ds.pixel_array
    note = None
    if ts is not None and ts.is_compressed and frames > 1 and 'PixelData' in ds and fragment_count(ds) != frames:
        split = copy.deepcopy(ds)
        split.PixelData = encapsulate(list(generate_pixel_data_frame(ds.PixelData, frames)), has_bot=True)
        alternative = split.pixel_array
        if alternative.shape == pixels.shape and not np.array_equal(alternative, pixels):
            note = ('pydicom+GDCM direct decode of this fragmented file is wrong and not repeatable; '
                    'values come from a frame-by-frame decode (one fragment per frame)')
            pixels = alternative
    return pixels, note


# ---------------------------------------------------------------- DICOM single file

def dicom_file(path, rel, data_root):
    """(entry, info for series grouping or None)."""
    entry = {'path': rel, 'kind': 'dicom-file'}
    try:
        ds, facts = read_dicom(path)
    except Exception as exc:
        entry.update(readable=False, error=short_error(exc))
        return entry, None
    ts = ds.file_meta.get('TransferSyntaxUID') if getattr(ds, 'file_meta', None) is not None else None
    header = {
        'transferSyntax': str(ts) if ts else None,
        'modality': str(ds.get('Modality', '') or '') or None,
        'sopClass': str(ds['SOPClassUID'].value or '') if 'SOPClassUID' in ds else None,
        'seriesInstanceUID': str(ds.get('SeriesInstanceUID', '') or '') or None,
    }
    image_type = [str(v).upper() for v in (ds.get('ImageType') or [])] if 'ImageType' in ds else []
    if not any(k in ds for k in ('PixelData', 'FloatPixelData', 'DoubleFloatPixelData')):
        entry.update(readable=False, error='no pixel data', **facts)
        entry.update({k: v for k, v in header.items() if v is not None})
        return entry, {'ds': None, 'series': header['seriesInstanceUID'], 'name': os.path.basename(rel), 'error': 'no pixel data'}
    # Header facts before decoding: pydicom's JPEG 2000 corrections may rewrite PixelRepresentation etc.
    photometric = str(ds.get('PhotometricInterpretation', '') or '')
    dtype = dicom_dtype(ds)
    bits = [int(ds.get('BitsAllocated', 0) or 0), int(ds.get('BitsStored', 0) or 0)]
    signed = int(ds.get('PixelRepresentation', 0) or 0)
    frames = frame_count(ds)
    try:
        pixels, decode_note = decode(ds, frames)
    except Exception as exc:
        entry.update(readable=False, error=short_error(exc), **facts)
        entry.update({k: v for k, v in header.items() if v is not None})
        return entry, {'ds': None, 'series': header['seriesInstanceUID'], 'name': os.path.basename(rel), 'error': short_error(exc)}
    values, rescale = rescaled(ds, pixels, frames)

    # Geometry (LPS), then RAS.
    r, c, has_iop = orientation(ds)
    n = slice_normal(r, c)
    ps = pixel_spacing(ds)
    geometry = {}
    per_frame = ds.get('PerFrameFunctionalGroupsSequence')
    positions = None
    if per_frame and frames > 1:
        positions = [floats(fg_value_frame_only(ds, f), 3) for f in range(frames)]
        if any(p is None for p in positions):
            positions = None
    if positions:
        pos = np.array(positions)
        order = np.argsort(pos @ n, kind='stable')
        keys = (pos @ n)[order]
        origin = pos[order[0]]
        step = (pos[order[-1]] - pos[order[0]]) / (frames - 1)
        geometry.update(gaps_info(keys))
        geometry['framesInFileOrder'] = bool(np.all(order == np.arange(frames)))
        if np.linalg.norm(step) < 1e-6:  # every frame at one position (e.g. SEG segments): one-slice rule
            step = n * one_slice_step(ds)
            geometry['stepFromThickness'] = True
    elif frames > 1 and 'GridFrameOffsetVector' in ds and floats(ds.get('ImagePositionPatient'), 3):
        # RT Dose (PS3.3 C.8.8.3.2, relative offsets): frame f lies at IPP + offset[f] * n.
        offsets = np.array([float(v) for v in ds.GridFrameOffsetVector])
        ordered = np.sort(offsets)
        origin = np.array(floats(ds.ImagePositionPatient, 3)) + ordered[0] * n
        step = n * (ordered[-1] - ordered[0]) / (frames - 1)
        geometry.update(gaps_info(ordered))
    else:
        ipp = floats(fg_value(ds, 'PlanePositionSequence', 'ImagePositionPatient'), 3)
        origin = np.array(ipp) if ipp else np.zeros(3)
        step = n * one_slice_step(ds)
    affine = to_ras(lps_affine(r, c, ps, step, origin))

    rows, cols = int(ds.Rows), int(ds.Columns)
    samples = int(ds.get('SamplesPerPixel', 1) or 1)
    entry.update(readable=True, dims=[cols, rows, frames], channels=samples, affine=matrix(affine),
                 spacing=spacing_of(affine), dtype=dtype, stats=stats(values))
    entry.update({k: v for k, v in header.items() if v is not None})
    entry['photometric'] = photometric
    decoded_pi = str(ds.get('PhotometricInterpretation', '') or '')
    if decoded_pi != photometric:
        entry['photometricAfterDecode'] = decoded_pi
    if photometric.startswith('YBR_FULL') and decoded_pi.startswith('YBR_FULL') and samples == 3:
        # pydicom leaves JPEG YCbCr data as YCbCr; these are the stats after its YBR_FULL -> RGB conversion.
        entry['statsRgb'] = stats(convert_color_space(pixels, 'YBR_FULL', 'RGB'))
    entry['mosaic'] = 'MOSAIC' in image_type
    entry['bitsAllocated'], entry['bitsStored'] = bits
    notes = []
    if int(ds.get('PixelRepresentation', 0) or 0) != signed:  # pydicom's JPEG 2000 correction rewrote it
        notes.append(f'JPEG 2000 codestream is unsigned but PixelRepresentation is {signed}: pydicom sign-extends '
                     f'the values from the codestream precision')
    if rescale is None:
        entry['rescale'] = 'per-frame'
    elif rescale != (1.0, 0.0):
        entry['rescale'] = [num(rescale[0]), num(rescale[1])]
    if header['transferSyntax'] in LOSSY_TS:
        entry['lossy'] = True
    if not has_iop:
        entry['noOrientation'] = True
    if 'DoseGridScaling' in ds:
        notes.append(f'RT Dose: DoseGridScaling {float(ds.DoseGridScaling):g} not applied (stats are stored values)')
    entry.update(geometry)
    if 'note' in facts:
        notes.insert(0, facts.pop('note'))
    entry.update(facts)
    if decode_note:
        notes.append(decode_note)
    if notes:
        entry['note'] = '; '.join(notes)
    info = None
    if frames == 1:
        info = {'ds': ds, 'values': values, 'series': header['seriesInstanceUID'], 'name': os.path.basename(rel),
                'r': r, 'c': c, 'ps': ps, 'has_iop': has_iop,
                'ipp': floats(ds.get('ImagePositionPatient'), 3), 'rows': rows, 'cols': cols, 'samples': samples,
                'entry': entry}
    return entry, info


def fg_value_frame_only(ds, frame):
    item = ds.PerFrameFunctionalGroupsSequence[frame]
    pos = first_item(item, 'PlanePositionSequence')
    return pos.ImagePositionPatient if pos is not None and 'ImagePositionPatient' in pos else None


# ---------------------------------------------------------------- DICOM series (one folder, one SeriesInstanceUID)

def dicom_series(folder_rel, uid, members, skipped):
    images = [m for m in members if m.get('ds') is not None]
    if not uid and all(m.get('error') == 'no pixel data' for m in members):
        return None  # header-only files without a series (DICOMDIRs, RT plans...): not a series at all
    if len(images) < 2:
        reasons = sorted({m.get('error') or 'single-frame image expected' for m in members if m.get('ds') is None})
        skipped.append({'path': folder_rel, 'seriesInstanceUID': uid, 'numFiles': len(members),
                        'reason': 'fewer than 2 decodable single-frame images (' + '; '.join(reasons) + ')'})
        return None
    first = images[0]
    for key in ('rows', 'cols', 'samples'):
        if len({m[key] for m in images}) > 1:
            skipped.append({'path': folder_rel, 'seriesInstanceUID': uid, 'numFiles': len(images),
                            'reason': f'slices differ in {"Rows" if key == "rows" else "Columns" if key == "cols" else "SamplesPerPixel"}'})
            return None
    if any(not m['has_iop'] or m['ipp'] is None for m in images):
        skipped.append({'path': folder_rel, 'seriesInstanceUID': uid, 'numFiles': len(images),
                        'reason': 'ImageOrientationPatient/ImagePositionPatient missing'})
        return None
    if any(np.max(np.abs(np.concatenate([m['r'] - first['r'], m['c'] - first['c']]))) > 1e-4 for m in images):
        skipped.append({'path': folder_rel, 'seriesInstanceUID': uid, 'numFiles': len(images),
                        'reason': 'slices differ in orientation'})
        return None
    r, c = first['r'], first['c']
    n = slice_normal(r, c)
    pos = np.array([m['ipp'] for m in images])
    order = np.argsort(pos @ n, kind='stable')
    keys = (pos @ n)[order]
    info = gaps_info(keys)
    if info.get('duplicatePositions'):
        skipped.append({'path': folder_rel, 'seriesInstanceUID': uid, 'numFiles': len(images),
                        'reason': 'several files at the same slice position (copies of one image, e.g. in other transfer syntaxes)'})
        return None
    ordered = [images[i] for i in order]
    count = len(ordered)
    step = (pos[order[-1]] - pos[order[0]]) / (count - 1)
    affine = to_ras(lps_affine(r, c, first['ps'], step, pos[order[0]]))
    values = [np.asarray(m['values']) for m in ordered]
    kind = 'f' if any(v.dtype.kind == 'f' for v in values) else 'i'
    stacked = np.stack([v.astype(np.float64 if kind == 'f' else np.int64) for v in values])
    entry = {'path': folder_rel, 'kind': 'dicom-series', 'readable': True,
             'dims': [first['cols'], first['rows'], count], 'channels': first['samples'],
             'affine': matrix(affine), 'spacing': spacing_of(affine),
             'dtype': first['entry']['dtype'], 'stats': stats(stacked),
             'seriesInstanceUID': uid, 'numSlices': count}
    for key in ('transferSyntax', 'modality', 'sopClass', 'photometric', 'mosaic'):
        found = {json.dumps(m['entry'].get(key)) for m in ordered}
        if len(found) == 1 and first['entry'].get(key) is not None:
            entry[key] = first['entry'][key]
    if len({m['entry']['dtype'] for m in ordered}) > 1:
        entry['dtypes'] = sorted({m['entry']['dtype'] for m in ordered})
    entry.update(info)
    entry['files'] = [m['name'] for m in ordered]  # in sorted slice order
    return entry


# ---------------------------------------------------------------- inventory check

def check_inventory(data_root, entries):
    """Prints files whose verdict differs from samples/INVENTORY.tsv (made with the same library versions)."""
    path = os.path.join(data_root, 'samples', 'INVENTORY.tsv')
    if not os.path.exists(path):
        return 0
    by_path = {e['path']: e for e in entries if e['kind'] != 'dicom-series'}
    problems = checked = 0
    with open(path, newline='') as handle:
        for row in csv.DictReader(handle, delimiter='\t'):
            rel = 'samples/' + row['file']
            result = row[[k for k in row if k.startswith('check_result')][0]]
            if row['kind'] not in ('dicom', 'nifti'):
                continue
            entry = by_path.get(rel)
            if entry is None:
                print(f'inventory check: {rel} not in fixture', file=sys.stderr)
                problems += 1
                continue
            checked += 1
            expected = result.startswith('ok') and 'no PixelData' not in row.get('properties', '')
            if entry['readable'] != expected:
                print(f'inventory check: {rel}: inventory "{result[:60]}", fixture readable={entry["readable"]}', file=sys.stderr)
                problems += 1
    print(f'inventory check: {checked} files compared, {problems} differ', file=sys.stderr)
    return problems


# ---------------------------------------------------------------- main

def hippocampus_cases(data_root):
    """3 cases: the first uint8 image, hippocampus_243 (float32 label) and the first float32 image with max >= 1e4."""
    path = os.path.join(data_root, 'hippocampus', 'cases.tsv')
    with open(path, newline='') as handle:
        rows = sorted(csv.DictReader(handle, delimiter='\t'), key=lambda row: row['case'])
    picks = [next(r['case'] for r in rows if r['intensity_group'] == 'uint8'), 'hippocampus_243',
             next(r['case'] for r in rows if r['intensity_group'] == 'float32_large')]
    return [f'hippocampus/{folder}/{case}.nii.gz' for case in picks for folder in ('imagesTr', 'labelsTr')]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('data_root', nargs='?', default=os.path.join(REPO_ROOT, '..', 'shared', 'data'))
    parser.add_argument('--output', default=OUTPUT)
    args = parser.parse_args()
    data_root = os.path.abspath(args.data_root)
    warnings.simplefilter('ignore')

    entries, skipped = [], []
    groups = {}  # (folder, series uid) -> members
    samples = os.path.join(data_root, 'samples')
    for folder, subdirs, files in os.walk(samples):
        subdirs.sort()
        folder_rel = os.path.relpath(folder, data_root)
        for name in sorted(files):
            path = os.path.join(folder, name)
            rel = os.path.join(folder_rel, name)
            if folder == samples and name == 'INVENTORY.tsv' or DOC_RE.search(name):
                continue
            if NRRD_RE.search(name):
                skipped.append({'path': rel, 'reason': 'NRRD: not a format our readers take'})
            elif PAIR_DATA_RE.search(name):
                skipped.append({'path': rel, 'reason': 'image part of a NIfTI pair; listed under its .hdr'})
            elif NIFTI_RE.search(name):
                entries.append(nifti_entry(path, rel, data_root))
            else:
                entry, info = dicom_file(path, rel, data_root)
                entries.append(entry)
                if info is not None:  # an empty/missing SeriesInstanceUID (anonymised data) is a series of its own
                    groups.setdefault((folder_rel, info['series'] or ''), []).append(info)
    for (folder_rel, uid), members in sorted(groups.items()):
        if len(members) >= 2:
            series = dicom_series(folder_rel, uid, members, skipped)
            if series:
                entries.append(series)
    for rel in hippocampus_cases(data_root):
        entries.append(nifti_entry(os.path.join(data_root, rel), rel, data_root))

    order = {'nifti': 0, 'dicom-file': 1, 'dicom-series': 2}
    entries.sort(key=lambda e: (e['path'], order[e['kind']], e.get('seriesInstanceUID') or ''))
    skipped.sort(key=lambda s: (s['path'], s.get('seriesInstanceUID') or ''))
    document = {
        'generator': GENERATOR,
        'pathsRelativeTo': 'the shared data folder (../shared/data from the repository root)',
        'versions': {'nibabel': nib.__version__, 'pydicom': pydicom.__version__,
                     'gdcm': gdcm.Version.GetVersion(), 'numpy': np.__version__},
        'entries': entries,
        'skipped': skipped,
    }
    write(document, args.output)
    problems = check_inventory(data_root, entries)
    counts = {}
    for e in entries:
        key = f"{e['kind']} {'readable' if e['readable'] else 'unreadable'}"
        counts[key] = counts.get(key, 0) + 1
    print(f'wrote {os.path.relpath(args.output, REPO_ROOT)}: {len(entries)} entries {counts}, '
          f'{len(skipped)} skipped, {problems} inventory mismatches')
    return 1 if problems else 0


def write(document, output):
    """One entry per line: small diffs, still readable."""
    dump = lambda value: json.dumps(value, allow_nan=False, separators=(', ', ': '))
    lines = ['{']
    for key in ('generator', 'pathsRelativeTo', 'versions'):
        lines.append(f'  {dump(key)}: {dump(document[key])},')
    for key in ('entries', 'skipped'):
        lines.append(f'  {dump(key)}: [')
        items = document[key]
        lines.extend(f'    {dump(item)}' + (',' if i < len(items) - 1 else '') for i, item in enumerate(items))
        lines.append('  ]' + (',' if key == 'entries' else ''))
    lines.append('}')
    os.makedirs(os.path.dirname(output), exist_ok=True)
    with open(output, 'w') as handle:
        handle.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    sys.exit(main())
