import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MersenneTwister } from '../../../engine/data/mersenne-twister.ts';
import { crossValidationFolds, foldSizes, parseFoldChoice, readSplitsFile, selectFold, validateSplits, writeSplitsFile } from '../../../engine/data/splits.ts';
import { temporaryFolder } from '../../support/dataset-fixtures.ts';
import { requireSharedData } from '../../support/shared-data.ts';

const caseIdsIn = async (folder: string) => (await readdir(join(folder, 'labelsTr'))).filter((name) => name.endsWith('.nii.gz')).map((name) => name.slice(0, -'.nii.gz'.length));
const unwrap = <T>(result: { ok: true; value: T } | { ok: false; errors: string[] }): T => {
  if (!result.ok) throw new Error(result.errors.join('; '));
  return result.value;
};

/**
 * Expected values computed with NumPy 2.4 emulating scikit-learn's KFold as nnU-Net calls it:
 * keys = np.sort(ids); idx = np.arange(n); np.random.RandomState(12345).shuffle(idx); fold sizes
 * n // 5 (+1 for the first n % 5); val = keys[sorted(idx[start:start + size])].
 */
const HIPPOCAMPUS_VAL = [
  '026 042 045 067 087 097 108 109 124 126 130 132 144 166 174 175 207 212 216 221 225 230 238 260 265 269 279 292 297 321 327 328 333 335 350 355 390',
  '011 017 024 025 037 039 048 049 057 060 068 090 096 099 133 155 156 161 184 220 226 227 234 243 251 261 264 277 288 300 331 351 359 366 372 376 386',
  '004 015 020 038 064 074 084 093 105 106 114 143 148 152 154 160 162 185 188 193 197 205 223 235 252 296 311 314 316 320 326 329 340 341 354 393',
  '019 036 046 050 052 095 098 107 123 127 136 141 146 163 169 170 172 176 180 181 190 217 231 233 250 282 295 302 305 317 318 337 343 361 375 387',
  '008 023 033 056 070 083 089 091 101 142 149 173 177 189 199 219 224 229 244 245 257 259 268 274 280 286 290 299 308 309 353 356 360 370 374 394',
];

describe('MersenneTwister', () => {
  it('reproduces NumPy RandomState(12345): raw outputs and shuffles', () => {
    const random = new MersenneTwister(12345);
    const shuffled = (n: number) => new MersenneTwister(12345).shuffle(Array.from({ length: n }, (_, index) => index));
    // np.frombuffer(RandomState(12345).bytes(16), '<u4') and RandomState(12345).shuffle(np.arange(n))
    expect({ raw: [0, 1, 2, 3].map(() => random.nextUint32()), five: shuffled(5), eleven: shuffled(11), first182: shuffled(182).slice(0, 8) }).toEqual({
      raw: [3992670690, 3823185381, 1358822685, 561383553],
      five: [0, 4, 3, 1, 2],
      eleven: [7, 0, 3, 6, 10, 9, 8, 4, 1, 5, 2],
      first182: [10, 93, 157, 134, 55, 52, 27, 128],
    });
  });
});

describe('cross-validation folds', () => {
  it('are nnU-Net\'s folds for the sample dataset, whatever the input order', async () => {
    const ids = await caseIdsIn('resources/sample');
    const folds = unwrap(crossValidationFolds([...ids].reverse()));
    expect(folds.map((fold) => fold.val)).toEqual([
      ['hippocampus_004', 'hippocampus_070'],
      ['hippocampus_015', 'hippocampus_146'],
      ['hippocampus_017', 'hippocampus_033'],
      ['hippocampus_008', 'hippocampus_136'],
      ['hippocampus_011', 'hippocampus_019'],
    ]);
    expect(folds[0]!.train).toEqual([...ids].sort().filter((id) => !folds[0]!.val.includes(id)));
  });

  it('are nnU-Net\'s folds for the 182 shared hippocampus cases (sizes 37, 37, 36, 36, 36)', async () => {
    const ids = await caseIdsIn(join(requireSharedData(), 'hippocampus'));
    const folds = unwrap(crossValidationFolds(ids));
    expect(folds.map((fold) => fold.val.map((id) => id.split('_')[1]).join(' '))).toEqual(HIPPOCAMPUS_VAL);
    expect(folds.map((fold) => fold.train.length + fold.val.length)).toEqual([182, 182, 182, 182, 182]);
  });

  it('have KFold sizes, keep a patient\'s cases together, and refuse too few patients', () => {
    expect([foldSizes(12, 5), foldSizes(10, 5), foldSizes(7, 3)]).toEqual([[3, 3, 2, 2, 2], [2, 2, 2, 2, 2], [3, 2, 2]]);
    const ids = Array.from({ length: 12 }, (_, index) => `p${index % 6}_t${Math.floor(index / 6)}`);
    const folds = unwrap(crossValidationFolds(ids, { folds: 3, seed: 7, patientOf: (id) => id.split('_')[0]! }));
    for (const fold of folds) {
      const patientsIn = (list: string[]) => new Set(list.map((id) => id.split('_')[0]));
      expect([...patientsIn(fold.val)].filter((patient) => patientsIn(fold.train).has(patient))).toEqual([]);
      expect(fold.val.length).toBe(4);
    }
    expect(crossValidationFolds(['a', 'b', 'c'])).toEqual({ ok: false, errors: ["5-fold cross-validation needs at least 5 patients, the dataset has 3; use fewer folds, a split file, or fold 'all'"] });
  });
});

describe('split files', () => {
  const ids = ['a', 'b', 'c', 'd'];

  it('validate with errors as values: shape, unknown ids, repeats, overlap, empty train', () => {
    expect(validateSplits({ train: [] }, ids).ok).toBe(false);
    expect(
      validateSplits(
        [
          { train: ['a', 'b', 'x'], val: ['c', 'b'] },
          { train: [], val: ['d', 'd'] },
          { train: 'a', val: [] },
        ],
        ids,
      ),
    ).toEqual({
      ok: false,
      errors: [
        'splits[0].train: unknown case ids x (not in the dataset)',
        'splits[0]: b in both train and val',
        'splits[1].val: d listed more than once',
        'splits[1].train: empty; a fold needs training cases',
        'splits[2]: expected { "train": [case ids], "val": [case ids] }',
      ],
    });
  });

  it('round-trip through a file; --fold parses 0..k-1 and all', async () => {
    const { folder, cleanup } = await temporaryFolder('voxnas-splits-');
    try {
      const path = join(folder, 'splits.json');
      const folds = [
        { train: ['a', 'b'], val: ['c', 'd'] },
        { train: ['c', 'd'], val: ['a', 'b'] },
      ];
      await writeSplitsFile(path, folds);
      expect(await readSplitsFile(path, ids)).toEqual({ ok: true, value: folds });
      expect((await readSplitsFile(join(folder, 'missing.json'), ids)).ok).toBe(false);
      expect([parseFoldChoice('0'), parseFoldChoice('4'), parseFoldChoice('all'), parseFoldChoice('-1'), parseFoldChoice('01')]).toEqual([0, 4, 'all', null, null]);
      expect(selectFold(folds, ids, 1)).toEqual({ ok: true, value: folds[1] });
      expect(selectFold(folds, ['d', 'a', 'c', 'b'], 'all')).toEqual({ ok: true, value: { train: ['a', 'b', 'c', 'd'], val: [] } });
      expect(selectFold(folds, ids, 2)).toEqual({ ok: false, errors: ["fold 2 does not exist: choose 0..1 or 'all'"] });
    } finally {
      await cleanup();
    }
  });
});
