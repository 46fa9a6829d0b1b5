export * from './charts.ts';
export { esc, type HtmlOptions, surveyHtml } from './html.ts';
export * from './model.ts';
export { type PngOptions, svgToPng } from './png.ts';
