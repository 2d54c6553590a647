import { describe, expect, it } from 'vitest';
import { squaredDistanceToSites } from '../../../engine/evaluate/distance-transform.ts';
import type { Vec3 } from '../../../engine/io/volume.ts';
import { seededRandom, squaredDistance } from './brute-force.ts';

function bruteForce(sites: Uint8Array, dims: Vec3, spacing: Vec3): number[] {
  const siteIndices = [...sites.keys()].filter((index) => sites[index] !== 0);
  return Array.from(sites, (_, index) => Math.min(Infinity, ...siteIndices.map((site) => squaredDistance(dims, spacing, index, site))));
}

describe('squaredDistanceToSites', () => {
  it('equals brute force on random anisotropic volumes (sparse, dense, one site, lines and planes)', () => {
    const random = seededRandom(42);
    const cases: { dims: Vec3; spacing: Vec3; density: number }[] = [
      { dims: [7, 5, 6], spacing: [0.7, 1.3, 2.9], density: 0.03 },
      { dims: [9, 8, 4], spacing: [1, 1, 1], density: 0.3 },
      { dims: [6, 7, 9], spacing: [3, 0.5, 1.1], density: 0.01 },
      { dims: [11, 1, 5], spacing: [0.4, 2, 5], density: 0.1 },
      { dims: [1, 1, 13], spacing: [1, 1, 0.9], density: 0.15 },
      { dims: [8, 9, 1], spacing: [2.5, 0.3, 1], density: 0.05 },
    ];
    let worst = 0;
    for (const { dims, spacing, density } of cases) {
      for (let trial = 0; trial < 4; trial += 1) {
        const sites = Uint8Array.from({ length: dims[0] * dims[1] * dims[2] }, () => (random() < density ? 1 : 0));
        if (trial === 0) sites.fill(0)[Math.floor(random() * sites.length)] = 1;
        const fast = squaredDistanceToSites(sites, dims, spacing);
        const slow = bruteForce(sites, dims, spacing);
        slow.forEach((expected, index) => {
          const actual = fast[index]!;
          if (expected === Infinity) expect(actual).toBe(Infinity);
          else worst = Math.max(worst, Math.abs(actual - expected) / Math.max(1, expected));
        });
      }
    }
    expect(worst).toBeLessThan(1e-12);
  });

  it('is Infinity everywhere without sites and reuses the output array', () => {
    const out = new Float64Array(24);
    const result = squaredDistanceToSites(new Uint8Array(24), [2, 3, 4], [1, 1, 1], out);
    expect(result).toBe(out);
    expect([...result].every((value) => value === Infinity)).toBe(true);
  });
});
