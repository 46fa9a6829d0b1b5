/**
 * The SVG Tiny Portable/Secure element and attribute sets, derived from the AuthIndicators
 * Working Group's RelaxNG schema (SVG_1.2_PS.rng, as shipped by Mail::BIMI; SVG_1.2_BIMI.rng
 * has the same sets). Only elements reachable from the root `svg` are listed (the schema also
 * defines font/glyph/hkern/font-face, which no content model references). A test recomputes
 * these sets from the schema when the corpus is present.
 */

export const SVG_NAMESPACE = 'http://www.w3.org/2000/svg';
export const XLINK_NAMESPACE = 'http://www.w3.org/1999/xlink';
export const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';

/** Attributes every element takes (RDFa-style metadata, ids, xml:*). */
const CORE = [
  'about',
  'class',
  'content',
  'datatype',
  'id',
  'property',
  'rel',
  'resource',
  'rev',
  'role',
  'typeof',
  'xml:base',
  'xml:id',
  'xml:lang',
  'xml:space',
];

/** Presentation attributes (no `style`, no `opacity`: Tiny PS has neither). */
const PRESENTATION = [
  'color',
  'color-rendering',
  'direction',
  'display-align',
  'fill',
  'fill-opacity',
  'fill-rule',
  'font-family',
  'font-size',
  'font-style',
  'font-variant',
  'font-weight',
  'line-increment',
  'solid-color',
  'solid-opacity',
  'stop-color',
  'stop-opacity',
  'stroke',
  'stroke-dasharray',
  'stroke-dashoffset',
  'stroke-linecap',
  'stroke-linejoin',
  'stroke-miterlimit',
  'stroke-opacity',
  'stroke-width',
  'text-align',
  'text-anchor',
  'unicode-bidi',
  'vector-effect',
];

const CONDITIONAL = ['requiredFonts', 'systemLanguage'];
const GRAPHIC = [...PRESENTATION, ...CONDITIONAL, 'transform'];
const DESCRIPTIVE = [
  ...CONDITIONAL,
  'buffered-rendering',
  'display',
  'image-rendering',
  'shape-rendering',
  'text-rendering',
  'viewport-fill',
  'viewport-fill-opacity',
  'visibility',
];

const SHAPES_AND_CONTAINERS = [
  'circle',
  'defs',
  'ellipse',
  'g',
  'line',
  'linearGradient',
  'path',
  'polygon',
  'polyline',
  'radialGradient',
  'rect',
  'solidColor',
  'text',
  'textArea',
  'use',
];

export interface ProfileElement {
  attributes: ReadonlySet<string>;
  /** Child elements allowed; `#text` when character data is allowed. */
  children: ReadonlySet<string>;
}

function element(attributes: string[], children: string[]): ProfileElement {
  return { attributes: new Set([...CORE, ...attributes]), children: new Set(children) };
}

export const SVG_TINY_PS: Readonly<Record<string, ProfileElement>> = {
  svg: element(
    [
      ...PRESENTATION,
      'baseProfile',
      'contentScriptType',
      'externalResourcesRequired',
      'focusable',
      'height',
      'playbackOrder',
      'preserveAspectRatio',
      'snapshotTime',
      'timelineBegin',
      'version',
      'viewBox',
      'width',
      'zoomAndPan',
    ],
    [...SHAPES_AND_CONTAINERS, 'desc', 'metadata', 'title'],
  ),
  title: element(DESCRIPTIVE, ['#text']),
  desc: element(DESCRIPTIVE, ['#text']),
  metadata: { attributes: new Set(), children: new Set(['#text']) },
  g: element(GRAPHIC, SHAPES_AND_CONTAINERS),
  defs: element(PRESENTATION, SHAPES_AND_CONTAINERS),
  path: element([...GRAPHIC, 'd', 'pathLength'], []),
  rect: element([...GRAPHIC, 'x', 'y', 'width', 'height', 'rx', 'ry'], []),
  circle: element([...GRAPHIC, 'cx', 'cy', 'r'], []),
  ellipse: element([...GRAPHIC, 'cx', 'cy', 'rx', 'ry'], []),
  line: element([...GRAPHIC, 'x1', 'x2', 'y1', 'y2'], []),
  polyline: element([...GRAPHIC, 'points'], []),
  polygon: element([...GRAPHIC, 'points'], []),
  solidColor: element(PRESENTATION, []),
  text: element([...GRAPHIC, 'x', 'y', 'rotate', 'editable'], ['#text']),
  textArea: element([...GRAPHIC, 'x', 'y', 'width', 'height'], ['#text']),
  linearGradient: element([...PRESENTATION, 'gradientUnits', 'x1', 'x2', 'y1', 'y2'], ['stop']),
  radialGradient: element([...PRESENTATION, 'gradientUnits', 'cx', 'cy', 'r'], ['stop']),
  stop: element([...PRESENTATION, 'offset'], []),
  // The schema's `href` stands for xlink:href (its xlink namespace was lost in conversion).
  use: element([...GRAPHIC, 'x', 'y', 'href'], []),
};

/** Elements the profile forbids for safety, each with the rule it breaks. */
export const FORBIDDEN_ELEMENTS: Readonly<Record<string, string>> = {
  script: 'script',
  animate: 'animation',
  set: 'animation',
  animateMotion: 'animation',
  animateColor: 'animation',
  animateTransform: 'animation',
  discard: 'animation',
  image: 'raster-image',
  foreignObject: 'foreign-object',
  a: 'link',
  iframe: 'foreign-object',
  video: 'foreign-object',
  audio: 'foreign-object',
  handler: 'script',
  listener: 'script',
};
