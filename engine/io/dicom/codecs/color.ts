/**
 * YCbCr (full range, PS3.3 C.7.6.3.1.2) to RGB for 8-bit samples, in place. The same coefficients,
 * single-precision arithmetic and rounding (floor(x + 0.5), clamped to 0..255) as pydicom's
 * `convert_color_space`, which pydicom 3 applies by default (`as_rgb=True`) to YBR_FULL and
 * YBR_FULL_422 pixel data.
 */

const f = Math.fround;
const CR_TO_R = f(1.402);
const CB_TO_G = f((-0.114 * 1.772) / 0.587);
const CR_TO_G = f((-0.299 * 1.402) / 0.587);
const CB_TO_B = f(1.772);

const clampRound = (value: number): number => Math.min(255, Math.max(0, Math.floor(f(value + 0.5))));

export function ybrFullToRgb(samples: Uint8Array): void {
  for (let index = 0; index + 2 < samples.length; index += 3) {
    const y = samples[index]!;
    const cb = samples[index + 1]! - 128;
    const cr = samples[index + 2]! - 128;
    samples[index] = clampRound(f(y + f(cr * CR_TO_R)));
    samples[index + 1] = clampRound(f(f(y + f(cb * CB_TO_G)) + f(cr * CR_TO_G)));
    samples[index + 2] = clampRound(f(y + f(cb * CB_TO_B)));
  }
}
