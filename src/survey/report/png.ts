import { Resvg } from '@resvg/resvg-js';

export interface PngOptions {
  /** Font files to draw text with (one with Japanese for Japanese charts); absent: the system's fonts. */
  fontFiles?: readonly string[];
  /** The family to use for `sans-serif` and unknown families, from one of `fontFiles`. */
  family?: string;
  /** Pixels per SVG unit (2: a 960×540 chart becomes 1920×1080, sharp on slides). */
  scale?: number;
}

/** A chart's SVG drawn as a PNG on white. */
export function svgToPng(svg: string, options: PngOptions = {}): Buffer {
  const resvg = new Resvg(svg, {
    background: '#ffffff',
    fitTo: { mode: 'zoom', value: options.scale ?? 2 },
    font: {
      // Given files load in milliseconds; scanning the system's fonts (CJK ones are large) takes seconds.
      loadSystemFonts: options.fontFiles === undefined,
      fontFiles: [...(options.fontFiles ?? [])],
      ...(options.family ? { defaultFontFamily: options.family, sansSerifFamily: options.family } : {}),
    },
  });
  return resvg.render().asPng();
}
