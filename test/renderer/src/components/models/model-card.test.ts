import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseModelCard, parseSpans } from '../../../../../renderer/src/components/models/model-card.ts';

describe('model card as formatted text', () => {
  it('reads the Markdown training writes: headings, lists, a table, code and bold spans', () => {
    const card = [
      '# Model a0d3cfb8',
      '',
      'Trained by VoxNAS 0.1.0 on wasm.',
      '',
      '## Data',
      '- Dataset: Hippocampus, 10 training cases.',
      '- Genome: `{"widths":[8,16]}`',
      '',
      '## Validation',
      '| class | Dice |',
      '|---|---|',
      '| Anterior | 0.8123 |',
      '| **mean** | **0.8000** |',
      '',
      'First line',
      'and its continuation.',
    ].join('\n');
    expect(parseModelCard(card)).toEqual([
      { kind: 'heading', level: 1, spans: [{ kind: 'text', text: 'Model a0d3cfb8' }] },
      { kind: 'paragraph', spans: [{ kind: 'text', text: 'Trained by VoxNAS 0.1.0 on wasm.' }] },
      { kind: 'heading', level: 2, spans: [{ kind: 'text', text: 'Data' }] },
      {
        kind: 'list',
        items: [
          [{ kind: 'text', text: 'Dataset: Hippocampus, 10 training cases.' }],
          [{ kind: 'text', text: 'Genome: ' }, { kind: 'code', text: '{"widths":[8,16]}' }],
        ],
      },
      { kind: 'heading', level: 2, spans: [{ kind: 'text', text: 'Validation' }] },
      {
        kind: 'table',
        header: [[{ kind: 'text', text: 'class' }], [{ kind: 'text', text: 'Dice' }]],
        rows: [
          [[{ kind: 'text', text: 'Anterior' }], [{ kind: 'text', text: '0.8123' }]],
          [[{ kind: 'strong', text: 'mean' }], [{ kind: 'strong', text: '0.8000' }]],
        ],
      },
      { kind: 'paragraph', spans: [{ kind: 'text', text: 'First line' }, { kind: 'text', text: ' ' }, { kind: 'text', text: 'and its continuation.' }] },
    ]);
  });

  it('keeps markup as text: nothing in a card becomes HTML', () => {
    const hostile = '<img src=x onerror=alert(1)> **<b>bold</b>** `<script>`';
    expect(parseSpans(hostile)).toEqual([
      { kind: 'text', text: '<img src=x onerror=alert(1)> ' },
      { kind: 'strong', text: '<b>bold</b>' },
      { kind: 'text', text: ' ' },
      { kind: 'code', text: '<script>' },
    ]);
    // The components render spans with text interpolation only (no v-html anywhere in them).
    for (const file of ['renderer/src/components/models/ModelCard.vue', 'renderer/src/views/ModelsView.vue']) expect(readFileSync(file, 'utf8')).not.toMatch(/v-html|innerHTML/);
  });
});
