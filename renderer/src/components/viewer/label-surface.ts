/**
 * Surfaces of label maps for the 3D viewport: a closed triangle mesh per label, in patient (LPS)
 * millimetres, in the layout Cornerstone3D's surface geometry takes (`points` x, y, z; `polys` as
 * vtk cells: 3, a, b, c, ...). Pure functions, no Cornerstone, so they are unit-tested in Node.
 *
 * Method: naive surface nets on the binary mask of one label. Voxel centres are the lattice; a dual
 * cell (2x2x2 voxel centres) whose corners are not all inside or all outside gets one vertex, the
 * mean of the midpoints of its edges that cross the boundary; every lattice edge that crosses the
 * boundary gets a quad joining the vertices of the four cells around it. Outside the volume counts
 * as outside, so every surface is closed, and the quads are wound so the normals point out of the
 * label. (Where two voxels touch only along an edge, the one vertex per cell makes that mesh edge
 * shared by four triangles, not two: closed and consistently wound, but not a manifold there.) It smooths the voxel staircase
 * less than marching cubes with smoothing would, but never invents a shape the voxels do not have.
 *
 * Large labels are meshed on a coarser lattice (every `stride`-th voxel along each axis) so that the
 * work stays below `maxCells` dual cells; the stride used is returned.
 */
import type { VolumeGrid } from './volume-geometry.ts';

export interface LabelSurface {
  label: number;
  /** x, y, z of each vertex, LPS millimetres. */
  points: Float32Array;
  /** vtk cell layout: 3, a, b, c for each triangle. */
  polys: Uint32Array;
  triangles: number;
  /** Voxels per lattice step along each axis (1 unless the label's bounding box was too large). */
  stride: number;
}

export interface SurfaceOptions {
  /** The most dual cells meshed for one label before the lattice is coarsened (default 8 M). */
  maxCells?: number;
}

type Box = { min: [number, number, number]; max: [number, number, number] };

/** The bounding box (inclusive voxel indices) of every label value present but 0, in one pass over the volume. */
function labelBoxes(labels: Uint8Array, dims: readonly [number, number, number]): Map<number, Box> {
  const [nx, ny, nz] = dims;
  const boxes = new Map<number, Box>();
  let index = 0;
  for (let k = 0; k < nz; k += 1) {
    for (let j = 0; j < ny; j += 1) {
      for (let i = 0; i < nx; i += 1, index += 1) {
        const value = labels[index]!;
        if (value === 0) continue;
        const box = boxes.get(value);
        if (!box) {
          boxes.set(value, { min: [i, j, k], max: [i, j, k] });
          continue;
        }
        if (i < box.min[0]) box.min[0] = i;
        if (i > box.max[0]) box.max[0] = i;
        if (j < box.min[1]) box.min[1] = j;
        if (j > box.max[1]) box.max[1] = j;
        if (k > box.max[2]) box.max[2] = k;
      }
    }
  }
  return boxes;
}

/** The surface of every label present (values 1-255), in ascending label order. */
export function labelSurfaces(labels: Uint8Array, grid: VolumeGrid, options: SurfaceOptions = {}): LabelSurface[] {
  const dims = grid.dimensions;
  if (labels.length !== dims[0] * dims[1] * dims[2]) throw new Error(`label surface: ${labels.length} voxels for a ${dims.join('x')} grid`);
  return [...labelBoxes(labels, dims)].sort(([a], [b]) => a - b).map(([label, box]) => meshLabel(labels, grid, label, box, options));
}

/** Surface nets over the voxels equal to `label` inside `box`. */
function meshLabel(labels: Uint8Array, grid: VolumeGrid, label: number, box: Box, options: SurfaceOptions): LabelSurface {
  const dims = grid.dimensions;
  const maxCells = options.maxCells ?? 8_000_000;
  // Lattice: every stride-th voxel from the box's corner; one more point each side so the mask is
  // outside at the lattice's border (the surface closes there).
  let stride = 1;
  const latticeSize = (s: number) => [0, 1, 2].map((axis) => Math.floor((box.max[axis]! - box.min[axis]!) / s) + 3) as [number, number, number];
  while (latticeSize(stride).reduce((a, b) => a * b, 1) > maxCells) stride += 1;
  const [lx, ly, lz] = latticeSize(stride);
  const inside = new Uint8Array(lx * ly * lz);
  for (let c = 1; c < lz - 1; c += 1) {
    const k = box.min[2] + (c - 1) * stride;
    for (let b = 1; b < ly - 1; b += 1) {
      const j = box.min[1] + (b - 1) * stride;
      for (let a = 1; a < lx - 1; a += 1) {
        const i = box.min[0] + (a - 1) * stride;
        if (labels[i + dims[0] * (j + dims[1] * k)] === label) inside[a + lx * (b + ly * c)] = 1;
      }
    }
  }
  // Lattice point (a, b, c) is voxel box.min + ((a, b, c) - 1) * stride: its world position.
  const [sx, sy, sz] = grid.spacing;
  const d = grid.direction;
  const world = (a: number, b: number, c: number, out: number[]) => {
    const i = box.min[0] + (a - 1) * stride;
    const j = box.min[1] + (b - 1) * stride;
    const k = box.min[2] + (c - 1) * stride;
    for (let axis = 0; axis < 3; axis += 1) out.push(grid.origin[axis]! + i * sx * d[axis]! + j * sy * d[3 + axis]! + k * sz * d[6 + axis]!);
  };

  // One vertex per mixed dual cell; cell (a, b, c) has the lattice points (a..a+1, b..b+1, c..c+1).
  const cx = lx - 1;
  const cy = ly - 1;
  const cz = lz - 1;
  const vertexOf = new Int32Array(cx * cy * cz).fill(-1);
  const points: number[] = [];
  const at = (a: number, b: number, c: number) => inside[a + lx * (b + ly * c)]!;
  // The 12 edges of a cell as pairs of corner offsets (bit 0: +a, bit 1: +b, bit 2: +c).
  const EDGES = [
    [0, 1], [2, 3], [4, 5], [6, 7],
    [0, 2], [1, 3], [4, 6], [5, 7],
    [0, 4], [1, 5], [2, 6], [3, 7],
  ] as const;
  const corner = new Uint8Array(8);
  const position: number[] = [];
  for (let c = 0; c < cz; c += 1) {
    for (let b = 0; b < cy; b += 1) {
      for (let a = 0; a < cx; a += 1) {
        let count = 0;
        for (let n = 0; n < 8; n += 1) {
          corner[n] = at(a + (n & 1), b + ((n >> 1) & 1), c + ((n >> 2) & 1));
          count += corner[n]!;
        }
        if (count === 0 || count === 8) continue;
        let x = 0;
        let y = 0;
        let z = 0;
        let crossings = 0;
        for (const [p, q] of EDGES) {
          if (corner[p] === corner[q]) continue;
          x += (p & 1) + (q & 1);
          y += ((p >> 1) & 1) + ((q >> 1) & 1);
          z += ((p >> 2) & 1) + ((q >> 2) & 1);
          crossings += 1;
        }
        // Mean of the crossing edges' midpoints, in lattice units.
        position.length = 0;
        world(a + x / (2 * crossings), b + y / (2 * crossings), c + z / (2 * crossings), position);
        vertexOf[a + cx * (b + cy * c)] = points.length / 3;
        points.push(position[0]!, position[1]!, position[2]!);
      }
    }
  }

  // A mirrored grid (direction with a negative determinant) turns the winding inside out in world space.
  const determinant = d[0]! * (d[4]! * d[8]! - d[5]! * d[7]!) - d[1]! * (d[3]! * d[8]! - d[5]! * d[6]!) + d[2]! * (d[3]! * d[7]! - d[4]! * d[6]!);
  const mirrored = determinant < 0;
  const polys: number[] = [];
  const cell = (a: number, b: number, c: number) => vertexOf[a + cx * (b + cy * c)]!;
  const quad = (v0: number, v1: number, v2: number, v3: number, flip: boolean) => {
    if (flip !== mirrored) polys.push(3, v0, v1, v2, 3, v0, v2, v3);
    else polys.push(3, v0, v2, v1, 3, v0, v3, v2);
  };
  // Lattice edges from (a, b, c) along each axis; the four cells around an edge along x are
  // (a, b-1..b, c-1..c), and so on. The border points are outside, so an edge that crosses has its
  // other two coordinates inside the border, and those four cells exist.
  for (let c = 0; c < lz; c += 1) {
    for (let b = 0; b < ly; b += 1) {
      for (let a = 0; a < lx; a += 1) {
        const here = at(a, b, c);
        if (a < lx - 1 && here !== at(a + 1, b, c)) quad(cell(a, b - 1, c - 1), cell(a, b, c - 1), cell(a, b, c), cell(a, b - 1, c), here === 1);
        if (b < ly - 1 && here !== at(a, b + 1, c)) quad(cell(a - 1, b, c - 1), cell(a - 1, b, c), cell(a, b, c), cell(a, b, c - 1), here === 1);
        if (c < lz - 1 && here !== at(a, b, c + 1)) quad(cell(a - 1, b - 1, c), cell(a, b - 1, c), cell(a, b, c), cell(a - 1, b, c), here === 1);
      }
    }
  }
  return { label, points: Float32Array.from(points), polys: Uint32Array.from(polys), triangles: polys.length / 4, stride };
}
