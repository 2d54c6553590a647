/**
 * The model card (model-card.md, written by training) as blocks the Models screen renders with
 * Vue's text interpolation: headings, list items, tables and paragraphs with `code` and **bold**
 * spans. Only the Markdown that training writes is understood; everything else stays plain text.
 * Never HTML: the card's text is shown as text, so nothing in it can inject markup.
 */

export type Span = { kind: 'text' | 'code' | 'strong'; text: string };

export type CardBlock =
  | { kind: 'heading'; level: number; spans: Span[] }
  | { kind: 'list'; items: Span[][] }
  | { kind: 'table'; header: Span[][]; rows: Span[][][] }
  | { kind: 'paragraph'; spans: Span[] };

/** `code` and **bold** spans of one line; unmatched markers stay as text. */
export function parseSpans(line: string): Span[] {
  const spans: Span[] = [];
  const pattern = /`([^`]+)`|\*\*([^*]+)\*\*/g;
  let last = 0;
  for (const match of line.matchAll(pattern)) {
    if (match.index > last) spans.push({ kind: 'text', text: line.slice(last, match.index) });
    spans.push(match[1] !== undefined ? { kind: 'code', text: match[1] } : { kind: 'strong', text: match[2]! });
    last = match.index + match[0].length;
  }
  if (last < line.length) spans.push({ kind: 'text', text: line.slice(last) });
  return spans;
}

const cells = (line: string): string[] =>
  line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((cell) => cell.trim());
const isTableRule = (line: string) => /^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/.test(line);

export function parseModelCard(markdown: string): CardBlock[] {
  const blocks: CardBlock[] = [];
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  /** A blank line ends a paragraph or a list. */
  let afterBlank = true;
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index]!;
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const previous = afterBlank ? undefined : blocks.at(-1);
    afterBlank = line.trim() === '';
    if (afterBlank) continue;
    if (heading) blocks.push({ kind: 'heading', level: heading[1]!.length, spans: parseSpans(heading[2]!.trim()) });
    else if (/^\s*[-*]\s+/.test(line)) {
      const item = parseSpans(line.replace(/^\s*[-*]\s+/, ''));
      if (previous?.kind === 'list') previous.items.push(item);
      else blocks.push({ kind: 'list', items: [item] });
    } else if (line.trim().startsWith('|') && isTableRule(lines[index + 1] ?? '')) {
      const rows: Span[][][] = [];
      let next = index + 2;
      while (next < lines.length && lines[next]!.trim().startsWith('|')) rows.push(cells(lines[next++]!).map(parseSpans));
      blocks.push({ kind: 'table', header: cells(line).map(parseSpans), rows });
      index = next - 1;
    } else if (previous?.kind === 'paragraph') previous.spans.push({ kind: 'text', text: ' ' }, ...parseSpans(line.trim()));
    else blocks.push({ kind: 'paragraph', spans: parseSpans(line.trim()) });
  }
  return blocks;
}
