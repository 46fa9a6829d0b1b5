import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Option } from 'commander';
import type { Lang } from '../i18n/lang.ts';
import { surveyReportText } from '../i18n/survey.ts';
import { translator } from '../i18n/translate.ts';
import type { Store } from '../store/types.ts';
import type { PngOptions, TrendScan } from '../survey/report/index.ts';
import { trendScansOf } from '../survey/report/model.ts';
import type { SurveyReport } from '../survey/report.ts';
import { requireScan, type SurveyTrend, storedReport } from '../survey/stored.ts';
import { type CliContext, UsageError } from './output.ts';

/** The flags `--html`, `--charts`, `--chart-format` and `--report-lang` add to a survey command. */
export interface ReportFileFlags {
  html?: string;
  charts?: string;
  chartFormat?: 'svg' | 'png' | 'both';
  reportLang?: Lang | 'both';
}

export function reportOptions(ctx: CliContext): Option[] {
  const t = translator(surveyReportText, ctx.lang);
  return [
    new Option('--html <file>', t('report.option.html')),
    new Option('--charts <dir>', t('report.option.charts')),
    new Option('--chart-format <format>', t('report.option.chartFormat'))
      .choices(['svg', 'png', 'both'])
      .default('both'),
    new Option('--report-lang <lang>', t('report.option.reportLang')).choices(['en', 'ja', 'both']),
  ];
}

/** Writes the HTML report and the chart files the flags ask for; says where on stderr. */
export async function writeReportFiles(
  ctx: CliContext,
  report: SurveyReport,
  flags: ReportFileFlags,
  trend?: readonly TrendScan[],
): Promise<void> {
  if (!flags.html && !flags.charts) return;
  // Loaded only when asked for: ECharts takes seconds to load on a busy machine, and every
  // other `sumi` command would pay for it at start.
  const { surveyCharts, surveyHtml, svgToPng } = await import('../survey/report/index.ts');
  const t = translator(surveyReportText, ctx.lang);
  const chosen = flags.reportLang ?? ctx.lang;
  const langs: Lang[] = chosen === 'both' ? [ctx.lang, ctx.lang === 'en' ? 'ja' : 'en'] : [chosen];
  const withTrend = trend && trend.length > 0 ? { trend } : {};
  if (flags.html) {
    await written(`--html ${flags.html}`, writeFile(flags.html, surveyHtml(report, { langs, ...withTrend })));
    ctx.stderr.write(`${t('report.wrote.html', { path: flags.html })}\n`);
  }
  if (flags.charts) {
    const dir = flags.charts;
    const format = flags.chartFormat ?? 'both';
    await written(`--charts ${dir}`, mkdir(dir, { recursive: true }));
    const fonts = new Map(format === 'svg' ? [] : langs.map((lang) => [lang, pngFonts(ctx, lang)]));
    let count = 0;
    for (const lang of langs) {
      const suffix = langs.length > 1 ? `.${lang}` : '';
      for (const chart of surveyCharts(report, { lang, ...withTrend })) {
        const base = join(dir, `${chart.id}${suffix}`);
        if (format !== 'png') {
          await written(`--charts ${dir}`, writeFile(`${base}.svg`, chart.svg));
          count++;
        }
        const png = fonts.get(lang);
        if (png) {
          await written(`--charts ${dir}`, writeFile(`${base}.png`, svgToPng(chart.svg, png)));
          count++;
        }
      }
    }
    ctx.stderr.write(`${t('report.wrote.charts', { count, dir })}\n`);
  }
}

/** `sumi survey trend --html/--charts`: the latest scan's report with the trend of all of them. */
export async function writeTrendReportFiles(
  ctx: CliContext,
  store: Store,
  trend: SurveyTrend,
  flags: ReportFileFlags,
): Promise<void> {
  if (!flags.html && !flags.charts) return;
  const latest = trend.scans.reduce((a, b) => (b.startedAt > a.startedAt ? b : a));
  const report = await storedReport(store, await requireScan(store, latest.name));
  await writeReportFiles(ctx, report, flags, trendScansOf(trend));
}

/** A file that cannot be written is the user's path's problem: a usage error naming it. */
async function written(what: string, write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (error) {
    throw new UsageError(`${what}: ${(error as Error).message}`);
  }
}

/**
 * Fonts for one language's PNG charts, from fontconfig: loading one family's files is much
 * faster than scanning every system font. Without a Japanese one, Japanese charts lose their
 * Japanese text: said on stderr.
 */
function pngFonts(ctx: CliContext, lang: Lang): PngOptions {
  const font = findFont(lang);
  if (font) return { fontFiles: font.files, family: font.family };
  if (lang === 'ja') ctx.stderr.write(`${translator(surveyReportText, ctx.lang)('report.noFont')}\n`);
  return {};
}

/**
 * Sans-serif families per language, preferred first when several are installed: a
 * single-face TrueType file loads in about 0.2 s per chart, the Noto CJK collections (ten
 * faces, 40 MB) in over a second.
 */
const PREFERRED_FAMILIES: Record<Lang, string[]> = {
  en: ['DejaVu Sans', 'Liberation Sans', 'Noto Sans', 'IPAexGothic'],
  ja: ['IPAexGothic', 'IPAGothic', 'VL Gothic', 'TakaoGothic', 'Noto Sans CJK JP', 'Source Han Sans JP'],
};

/** The files of one installed font family for the language (regular, bold ...), by `fc-list :lang=`. */
export function findFont(lang: Lang): { family: string; files: string[] } | undefined {
  let listing: string;
  try {
    listing = execFileSync('fc-list', ['-f', '%{file}\t%{family}\n', `:lang=${lang}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    });
  } catch {
    return undefined;
  }
  const faces = listing
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [file, families = ''] = line.split('\t');
      return { file: file!, families: families.split(',').map((f) => f.trim()) };
    });
  const family =
    PREFERRED_FAMILIES[lang].find((name) => faces.some((f) => f.families.includes(name))) ??
    faces.find((f) => !/serif|mincho|明朝/i.test(f.families.join(' ')))?.families[0] ??
    faces[0]?.families[0];
  if (!family) return undefined;
  // Distro aliases (fonts-japanese-gothic.ttf) link to the same file: load it once.
  const files = [
    ...new Set(faces.filter((f) => f.families.includes(family)).map((f) => realFile(f.file))),
  ].sort();
  return { family, files };
}

function realFile(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
