/**
 * Label colours of the two overlays. Ground truth in cool colours, prediction in warm ones, so that
 * the two read apart where they overlap; every colour differs from grey (a label pixel is never
 * mistaken for image). Colours are '#rrggbb' strings in state (what <input type="color"> edits).
 */

export type OverlayLayer = 'truth' | 'prediction';
export const OVERLAY_LAYERS: readonly OverlayLayer[] = ['truth', 'prediction'];

const PALETTES: Record<OverlayLayer, readonly string[]> = {
  // Colour-blind-safe hues (Okabe–Ito), cool set and warm set.
  truth: ['#56b4e9', '#009e73', '#0072b2', '#7fd6c2', '#9ab8ff'],
  prediction: ['#e69f00', '#d55e00', '#cc79a7', '#f0e442', '#ff8f8f'],
};

/** The default colour of label `value` (1, 2, ...) in a layer; the palette repeats beyond its length. */
export function defaultLabelColor(layer: OverlayLayer, value: number): string {
  const palette = PALETTES[layer];
  return palette[(Math.max(1, value) - 1) % palette.length]!;
}

/** Default colours for the given label values, per layer. */
export function defaultColors(values: readonly number[]): Record<OverlayLayer, Record<string, string>> {
  const of = (layer: OverlayLayer) => Object.fromEntries(values.map((value) => [String(value), defaultLabelColor(layer, value)]));
  return { truth: of('truth'), prediction: of('prediction') };
}

/** '#rrggbb' -> [r, g, b]; null for anything else. */
export function hexToRgb(hex: string): [number, number, number] | null {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  return match ? [parseInt(match[1]!, 16), parseInt(match[2]!, 16), parseInt(match[3]!, 16)] : null;
}

/** The colour as Cornerstone's RGBA (0..255) with the given alpha. */
export function rgbaOf(hex: string, alpha = 255): [number, number, number, number] {
  const rgb = hexToRgb(hex) ?? [255, 255, 255];
  return [...rgb, alpha];
}
