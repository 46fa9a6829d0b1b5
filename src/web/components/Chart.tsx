import type { ECharts, EChartsCoreOption } from 'echarts/core';
import { useEffect, useRef } from 'preact/hooks';

export type ChartOption = EChartsCoreOption;

/**
 * One ECharts chart, drawn as SVG. Tooltips use rich text inside the SVG rather than HTML,
 * so names taken from reports can never become markup.
 */
export function Chart({
  option,
  label,
  height = 300,
}: {
  option: ChartOption;
  label: string;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts>(undefined);
  const latest = useRef(option);
  latest.current = option;

  useEffect(() => {
    const element = box.current!;
    let disposed = false;
    let observer: ResizeObserver | undefined;
    void import('./echarts.ts').then(({ echarts }) => {
      if (disposed) return;
      chart.current = echarts.init(element, undefined, { renderer: 'svg' });
      draw(chart.current, latest.current);
      observer = new ResizeObserver(() => chart.current?.resize());
      observer.observe(element);
    });
    return () => {
      disposed = true;
      observer?.disconnect();
      chart.current?.dispose();
    };
  }, []);

  useEffect(() => {
    if (chart.current) draw(chart.current, option);
  }, [option]);

  return <div ref={box} class="chart" role="img" aria-label={label} style={{ height: `${height}px` }} />;
}

function draw(chart: ECharts, option: ChartOption): void {
  // Readers who asked for less motion get the chart without its transitions.
  const animation = !window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  chart.setOption({ animation, tooltip: { renderMode: 'richText' }, ...option }, true);
}
