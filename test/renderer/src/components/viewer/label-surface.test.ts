import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readVolume } from '../../../../../engine/io/read-volume.ts';
import { labelSurfaces, type LabelSurface } from '../../../../../renderer/src/components/viewer/label-surface.ts';
import type { VolumeGrid } from '../../../../../renderer/src/components/viewer/volume-geometry.ts';

const IDENTITY: VolumeGrid['direction'] = [1, 0, 0, 0, 1, 0, 0, 0, 1];

/** The surface of one label (labelSurfaces meshes every label present); null when it has none. */
const labelSurface = (labels: Uint8Array, grid: VolumeGrid, label: number, options = {}) => labelSurfaces(labels, grid, options).find((surface) => surface.label === label) ?? null;

/**
 * Whether a mesh is closed and consistently wound: every edge is crossed once in each direction as
 * often as in the other (2 triangles per edge, or 4 where two voxels touch only along an edge).
 */
function closedAndWound(surface: LabelSurface): { closed: boolean; nonManifoldEdges: number } {
  const directed = new Map<string, number>();
  for (let t = 0; t < surface.polys.length; t += 4) {
    expect(surface.polys[t]).toBe(3);
    const corners = [surface.polys[t + 1]!, surface.polys[t + 2]!, surface.polys[t + 3]!];
    for (let e = 0; e < 3; e += 1) {
      const key = `${corners[e]}>${corners[(e + 1) % 3]}`;
      directed.set(key, (directed.get(key) ?? 0) + 1);
    }
  }
  let closed = true;
  let nonManifoldEdges = 0;
  for (const [key, count] of directed) {
    const [p, q] = key.split('>');
    if (directed.get(`${q}>${p}`) !== count) closed = false;
    if (count > 1) nonManifoldEdges += 1;
  }
  return { closed, nonManifoldEdges };
}

/** Volume enclosed (divergence theorem): positive when the normals point out. */
function signedVolume(surface: LabelSurface): number {
  const p = surface.points;
  let volume = 0;
  for (let t = 0; t < surface.polys.length; t += 4) {
    const [a, b, c] = [surface.polys[t + 1]! * 3, surface.polys[t + 2]! * 3, surface.polys[t + 3]! * 3];
    volume += p[a]! * (p[b + 1]! * p[c + 2]! - p[b + 2]! * p[c + 1]!) - p[a + 1]! * (p[b]! * p[c + 2]! - p[b + 2]! * p[c]!) + p[a + 2]! * (p[b]! * p[c + 1]! - p[b + 1]! * p[c]!);
  }
  return volume / 6;
}

function ball(size: number, radius: number, label = 1): Uint8Array {
  const labels = new Uint8Array(size ** 3);
  const centre = (size - 1) / 2;
  for (let k = 0; k < size; k += 1) for (let j = 0; j < size; j += 1) for (let i = 0; i < size; i += 1) if ((i - centre) ** 2 + (j - centre) ** 2 + (k - centre) ** 2 <= radius ** 2) labels[i + size * (j + size * k)] = label;
  return labels;
}

describe('label surfaces for the 3D viewport', () => {
  it('meshes a ball as one closed, outward-wound surface in millimetres, enclosing about its voxel volume, and mirrors correctly', () => {
    const size = 30;
    const labels = ball(size, 10);
    const voxels = labels.reduce((sum, value) => sum + value, 0);
    const spacing: [number, number, number] = [0.5, 1, 2];
    const grid: VolumeGrid = { dimensions: [size, size, size], spacing, origin: [-10, 5, 100], direction: IDENTITY };
    const surface = labelSurface(labels, grid, 1)!;
    const mirrored = labelSurface(labels, { ...grid, direction: [-1, 0, 0, 0, 1, 0, 0, 0, 1] }, 1)!;
    const xs = Array.from({ length: surface.points.length / 3 }, (_, index) => surface.points[index * 3]!);
    const volumeRatio = signedVolume(surface) / (voxels * 0.5 * 1 * 2);
    expect({
      closed: closedAndWound(surface),
      stride: surface.stride,
      // Surface nets put the surface through the midpoints between inside and outside voxel centres.
      volumeRatioNearOne: volumeRatio > 0.9 && volumeRatio < 1.05,
      mirroredVolume: Math.abs(signedVolume(mirrored) / signedVolume(surface) - 1) < 1e-6,
      xRange: [Math.min(...xs) >= -10 + 4 * 0.5, Math.max(...xs) <= -10 + 25 * 0.5],
      otherLabel: labelSurface(labels, grid, 2),
    }).toEqual({ closed: { closed: true, nonManifoldEdges: 0 }, stride: 1, volumeRatioNearOne: true, mirroredVolume: true, xRange: [true, true], otherLabel: null });
  });

  it('closes a label that touches the border of the volume, and coarsens the lattice of a large label', () => {
    const size = 12;
    const full = new Uint8Array(size ** 3).fill(3);
    const grid: VolumeGrid = { dimensions: [size, size, size], spacing: [1, 1, 1], origin: [0, 0, 0], direction: IDENTITY };
    const surface = labelSurface(full, grid, 3)!;
    // 12 voxels a side: a lattice of 12 + 2 points a side (1728 + border cells) is over 600, one of 6 + 2 (512) is not.
    const coarse = labelSurface(full, grid, 3, { maxCells: 600 })!;
    const volumeRatio = signedVolume(surface) / size ** 3;
    expect({ closed: closedAndWound(surface), volumeRatio: volumeRatio > 0.95 && volumeRatio <= 1, coarseStride: coarse.stride, coarseClosed: closedAndWound(coarse), coarseFewer: coarse.triangles < surface.triangles }, `volume ratio ${volumeRatio}`).toEqual({
      closed: { closed: true, nonManifoldEdges: 0 },
      // The surface passes half a voxel outside the outermost centres, less the rounded edges and corners.
      volumeRatio: true,
      coarseStride: 2,
      coarseClosed: { closed: true, nonManifoldEdges: 0 },
      coarseFewer: true,
    });
    expect(() => labelSurface(full.subarray(1), grid, 3)).toThrow(/1727 voxels for a 12x12x12 grid/);
  });

  it("meshes both hippocampus labels of a real case (resources/sample) as closed surfaces inside the image's extent", async () => {
    const { volume } = await readVolume(join('resources/sample/labelsTr/hippocampus_004.nii.gz'));
    const grid: VolumeGrid = { dimensions: volume.dims, spacing: volume.spacing, origin: volume.origin, direction: volume.direction.flat() as VolumeGrid['direction'] };
    const labels = Uint8Array.from(volume.data, Number);
    for (const label of [1, 2]) {
      const surface = labelSurface(labels, grid, label)!;
      const voxels = labels.reduce((sum, value) => sum + (value === label ? 1 : 0), 0);
      const ratio = signedVolume(surface) / (voxels * volume.spacing[0] * volume.spacing[1] * volume.spacing[2]);
      expect({ label, closed: closedAndWound(surface).closed, stride: surface.stride, triangles: surface.triangles > 100, ratio: ratio > 0.6 && ratio < 1.1 }, `volume ratio ${ratio.toFixed(3)}`).toEqual({ label, closed: true, stride: 1, triangles: true, ratio: true });
    }
  });
});
