#!/usr/bin/python3
"""Reference pixel statistics for every DICOM sample, from pydicom + GDCM (run once, commit the output).

Writes test/fixtures/dicom-pixels.json, read by test/engine/io/dicom/pixel-data.test.ts.

For each file that the sample inventory (shared/data/samples/INVENTORY.tsv) lists as DICOM:
- pydicom decodes it (GDCM first, then Pillow, as pydicom's default handler order does), and we record the
  STORED values' facts: rows, columns, frames, samples per pixel, dtype, min, max and exact sum. No rescale.
- 8-bit YBR_FULL / YBR_FULL_422 pixels are converted to RGB with pydicom's convert_color_space, which is
  what pydicom 3 does by default (pixel_array's as_rgb=True; pydicom 2.3 returns YCbCr).
- if pydicom cannot give pixels (no Pixel Data, or the pixel data is broken), we record why instead.

Lossy transfer syntaxes get a tolerance: two JPEG / JPEG 2000 decoders may round differently by a grey level.

Usage (Debian: apt-get install -y python3-pydicom python3-gdcm python3-numpy):
    /usr/bin/python3 scripts/reference/make_dicom_pixels.py [samples-dir] [output-json]
"""
import csv
import gzip
import io
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pydicom
from pydicom.encaps import generate_pixel_data_frame
from pydicom.pixel_data_handlers.util import convert_color_space

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / 'shared' / 'data' / 'samples'
OUTPUT = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / 'test' / 'fixtures' / 'dicom-pixels.json'

# Lossy transfer syntaxes: JPEG Baseline/Extended, JPEG-LS near-lossless, JPEG 2000 (may be irreversible), HTJ2K lossy.
LOSSY = {
    '1.2.840.10008.1.2.4.50',
    '1.2.840.10008.1.2.4.51',
    '1.2.840.10008.1.2.4.81',
    '1.2.840.10008.1.2.4.91',
    '1.2.840.10008.1.2.4.203',
}


# Files whose pydicom + GDCM answer is wrong, with the lossless original to compare with instead.
UNRELIABLE = {
    'dicomParser/encapsulated/multi-frame/CT0012.fragmented_no_bot_jpeg_ls.81.dcm': (
        'dicomParser/encapsulated/multi-frame/CT0012.explicit_little_endian.dcm',
        'GDCM 3.0.21 decodes this file differently from run to run (all zeros, values up to 65535, or the lossless values)',
    ),
}


def jpeg_ls_near(ds: pydicom.Dataset) -> int:
    """NEAR of the first JPEG-LS scan (ISO 14495-1 C.2.3: after the component specifications of SOS)."""
    frame = next(generate_pixel_data_frame(ds.PixelData, int(getattr(ds, 'NumberOfFrames', 1) or 1)))
    sos = frame.index(b'\xff\xda')
    components = frame[sos + 4]
    return frame[sos + 5 + 2 * components]


def source_dtype(arr: np.ndarray, samples: int) -> str:
    if samples == 3 and arr.dtype == np.uint8:
        return 'rgb24'
    return arr.dtype.name


def read(path: Path) -> pydicom.Dataset:
    data = path.read_bytes()
    if data[:2] == b'\x1f\x8b':
        data = gzip.decompress(data)
    return pydicom.dcmread(io.BytesIO(data), force=True)


def entry(name: str) -> dict:
    path = SAMPLES / name
    try:
        ds = read(path)
    except Exception as error:  # noqa: BLE001 - any failure is the answer
        return {'error': f'unreadable: {type(error).__name__}: {error}'[:200]}
    if not any(keyword in ds for keyword in ('PixelData', 'FloatPixelData', 'DoubleFloatPixelData')):
        return {'error': 'no pixel data'}
    try:
        arr = ds.pixel_array
    except Exception as error:  # noqa: BLE001
        return {'error': f'{type(error).__name__}: {error}'[:200]}
    samples = int(getattr(ds, 'SamplesPerPixel', 1))
    frames = int(getattr(ds, 'NumberOfFrames', 1) or 1)
    rows, columns = int(ds.Rows), int(ds.Columns)
    if arr.size != frames * rows * columns * samples:
        return {'error': f'pydicom shape {arr.shape} does not match the header'}
    ts = str(ds.file_meta.get('TransferSyntaxUID', '')) if hasattr(ds, 'file_meta') else ''
    photometric = str(ds.PhotometricInterpretation)
    if photometric in ('YBR_FULL', 'YBR_FULL_422') and samples == 3 and arr.dtype == np.uint8:
        arr = convert_color_space(arr, photometric, 'RGB')
        photometric = 'RGB'
    elif photometric in ('YBR_RCT', 'YBR_ICT'):
        photometric = 'RGB'  # JPEG 2000 decoders apply the inverse component transform
    result = {
        'transferSyntax': ts,
        'rows': rows,
        'columns': columns,
        'frames': frames,
        'samplesPerPixel': samples,
        'sourceDtype': source_dtype(arr, samples),
        'photometric': photometric,
        'min': int(arr.min()) if arr.dtype.kind in 'iu' else float(arr.min()),
        'max': int(arr.max()) if arr.dtype.kind in 'iu' else float(arr.max()),
        'sum': int(arr.astype(np.int64).sum()) if arr.dtype.kind in 'iu' else float(arr.astype(np.float64).sum()),
    }
    if ts in LOSSY:
        # Two decoders of a lossy stream may round differently (IDCT, chroma upsampling, colour conversion):
        # allow 0.5 % of the image's value range on min / max and 0.2 % of it on the mean.
        value_range = float(arr.max()) - float(arr.min())
        result['tolerance'] = {'minMax': max(2, int(np.ceil(value_range * 0.005))), 'mean': max(0.5, round(value_range * 0.002, 3))}
    if name in UNRELIABLE:
        # pydicom's answer cannot be trusted here: test against the lossless original within JPEG-LS NEAR.
        original, why = UNRELIABLE[name]
        for key in ('min', 'max', 'sum', 'tolerance'):
            result.pop(key, None)
        result.update({'nearLosslessOf': original, 'maxError': jpeg_ls_near(ds), 'note': why})
    return result


def main() -> None:
    warnings.simplefilter('ignore')
    with open(SAMPLES / 'INVENTORY.tsv', newline='', encoding='utf-8') as handle:
        rows = [row for row in csv.DictReader(handle, delimiter='\t') if row['kind'] == 'dicom']
    files = {row['file']: entry(row['file']) for row in sorted(rows, key=lambda row: row['file'])}
    lines = [f'    {json.dumps(name)}: {json.dumps(value, sort_keys=True)}' for name, value in files.items()]
    header = {
        'generator': 'scripts/reference/make_dicom_pixels.py',
        'pydicom': pydicom.__version__,
        'numpy': np.__version__,
        'note': 'Stored pixel values (no rescale) of every DICOM sample in shared/data/samples, decoded by pydicom (GDCM, then Pillow).',
    }
    try:
        import gdcm  # noqa: PLC0415
        header['gdcm'] = gdcm.Version.GetVersion()
    except ImportError:
        header['gdcm'] = None
    text = '{\n' + ''.join(f'  {json.dumps(k)}: {json.dumps(v)},\n' for k, v in header.items())
    text += '  "files": {\n' + ',\n'.join(lines) + '\n  }\n}\n'
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding='utf-8')
    ok = sum(1 for value in files.values() if 'error' not in value)
    print(f'{OUTPUT}: {len(files)} files, {ok} with pixels, {len(files) - ok} without')


if __name__ == '__main__':
    main()
