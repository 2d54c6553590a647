import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../engine/io/input-error.ts';
import { loadSearchSpace, pointToGenome, pointToPath, validateSearchSpace } from '../../../engine/space/index.ts';

/** A two-level space small enough to read: two searchable cells and the pooling choice. */
const tiny = () => ({
  schemaVersion: 1,
  name: 'tiny',
  description: 'test space',
  template: {
    schemaVersion: 1,
    widths: [4, 8],
    encoder: [[{ decision: 'enc0.cell0' }], ['conv3']],
    decoder: [[{ decision: 'dec0.cell0' }]],
    skip: 'add',
    up: 'transposed-conv',
    deepSupervision: 0,
    leakyReluAlpha: 0.01,
    normEpsilon: 1e-5,
  },
  decisions: [
    { id: 'enc0.cell0', kind: 'cell-op', choices: ['conv3', 'conv2d3'] },
    { id: 'dec0.cell0', kind: 'cell-op', choices: ['conv3', 'identity'] },
    { id: 'down', kind: 'enum', field: 'down', choices: ['max-pool', 'strided-conv'] },
  ],
});

describe('search-space validation', () => {
  it('accepts the tiny space and decodes its points', () => {
    const result = validateSearchSpace(tiny());
    if (!result.ok) throw new Error(result.errors.join('; '));
    const point = { 'enc0.cell0': 1, 'dec0.cell0': 1, down: 1 };
    expect(pointToGenome(result.value, point)).toEqual({ ...tiny().template, widths: [4, 8], encoder: [['conv2d3'], ['conv3']], decoder: [['identity']], down: 'strided-conv' });
    expect(pointToPath(result.value, point)).toEqual({ 'enc0.cell0': 1, 'dec0.cell0': 1 });
  });

  it('reports structural problems as values naming the field', () => {
    const document = tiny();
    const broken = {
      ...document,
      schemaVersion: 2,
      name: '',
      extra: true,
      template: { ...document.template, down: 'max-pool' },
      decisions: [
        { id: 'enc0.cell0', kind: 'cell-op', choices: ['conv3'] },
        { id: 'dec0.cell0', kind: 'cell-op', choices: ['conv3', 'conv3'] },
        { id: 'down', kind: 'enum', field: 'pool', choices: ['max-pool', 'strided-conv'] },
        { id: 'width', kind: 'widths', choices: [8, 0], maxWidth: 'big' },
        { id: 'what', kind: 'macro', choices: [] },
      ],
    };
    expect(validateSearchSpace(broken)).toEqual({
      ok: false,
      errors: [
        'schemaVersion: expected 1, got 2',
        'name: expected a non-empty string',
        'decisions[0].choices: expected a list of at least 2 choices',
        'decisions[1].choices: a choice is listed twice',
        'decisions[2].field: expected one of skip, down, up, deepSupervision, got "pool"',
        'decisions[3].choices[1]: expected a positive integer (channels of the finest level)',
        'decisions[3].maxWidth: expected a positive integer',
        'decisions[4].kind: expected one of cell-op, enum, widths, topology, patch-scale, got "macro"',
        'extra: unknown field',
      ],
    });
  });

  it('reports bad references, op names and genomes that some point would break', () => {
    const document = tiny();
    const unused = { ...document, decisions: [...document.decisions, { id: 'enc1.cell0', kind: 'cell-op', choices: ['conv3', 'conv5'] }] };
    expect(validateSearchSpace(unused)).toEqual({ ok: false, errors: ['decisions.enc1.cell0: a cell-op decision must fill exactly one cell (template slot or topology layer), used 0 times'] });
    const dangling = { ...document, template: { ...document.template, encoder: [[{ decision: 'enc0.cell0' }], [{ decision: 'nowhere' }]] } };
    expect(validateSearchSpace(dangling)).toEqual({ ok: false, errors: ['template.encoder[1][0]: "nowhere" is not a cell-op decision'] });
    const badOp = { ...document, decisions: [{ id: 'enc0.cell0', kind: 'cell-op', choices: ['conv3', 'conv9'] }, ...document.decisions.slice(1)] };
    expect(validateSearchSpace(badOp)).toMatchObject({ ok: false, errors: [expect.stringMatching(/^decisions\[0\]\.choices\[1\]: "conv9" is not an op/)] });
    // identity cannot halve the channels of a concatenated skip: only the point with skip = concat breaks.
    const concat = { ...document, template: { ...document.template, skip: undefined }, decisions: [...document.decisions, { id: 'skip', kind: 'enum', field: 'skip', choices: ['add', 'concat'] }] };
    expect(validateSearchSpace(concat)).toEqual({
      ok: false,
      errors: ['template with down = "max-pool", skip = "concat": decoder[0][0]: with concatenated skips the first cell halves the channels, so it cannot be identity'],
    });
  });

  it('checks topology decisions: layer counts and the template cells they replace', () => {
    const document = tiny();
    const { encoder, decoder, widths, ...rest } = document.template;
    void encoder;
    void decoder;
    void widths;
    const layers = ['a', 'b', 'c', 'd'];
    const shapes = [
      { name: 'u', encoder: [1, 1], decoder: [2] },
      { name: 'heavy bottleneck', encoder: [1, 2], decoder: [1] },
      { name: 'three levels', encoder: [1, 1, 1], decoder: [1, 1] },
    ];
    const topology = {
      ...document,
      template: { ...rest, down: 'max-pool' },
      decisions: [
        { id: 'topology', kind: 'topology', layers, choices: shapes },
        ...layers.map((id) => ({ id, kind: 'cell-op', choices: ['conv3', 'conv5'] })),
        { id: 'width', kind: 'widths', choices: [4, 8], maxWidth: 12 },
      ],
    };
    expect(validateSearchSpace(topology)).toEqual({ ok: false, errors: ['decisions[0].choices[2]: assigns 5 cells, expected 4 (one per layer)'] });
    shapes.pop();
    const result = validateSearchSpace(topology);
    if (!result.ok) throw new Error(result.errors.join('; '));
    // Layers fill the cells in execution order: encoder finest first, then the decoder coarsest first.
    expect(pointToGenome(result.value, { topology: 1, a: 1, b: 0, c: 1, d: 0, width: 1 })).toMatchObject({ widths: [8, 12], encoder: [['conv5'], ['conv3', 'conv5']], decoder: [['conv3']] });
    expect(pointToPath(result.value, { topology: 0, a: 1, b: 0, c: 1, d: 0, width: 0 })).toEqual({ 'enc0.cell0': 1, 'enc1.cell0': 0, 'dec0.cell0': 1, 'dec0.cell1': 0 });
    expect(validateSearchSpace({ ...topology, template: { ...topology.template, encoder: [['conv3']] } })).toEqual({
      ok: false,
      errors: ['template.encoder: leave it out, the topology decision "topology" sets the cells'],
    });
  });

  it('loadSearchSpace throws an InputError naming the file', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'voxnas-space-'));
    const bad = join(folder, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...tiny(), name: 7 }));
    await expect(loadSearchSpace(bad)).rejects.toThrow(InputError);
    await expect(loadSearchSpace(bad)).rejects.toThrow(`${bad}: is not a valid search space: name: expected a non-empty string`);
    writeFileSync(bad, '{ not json');
    await expect(loadSearchSpace(bad)).rejects.toThrow(/is not valid JSON/);
    await expect(loadSearchSpace(join(folder, 'missing.json'))).rejects.toThrow(/cannot be read/);
  });
});
