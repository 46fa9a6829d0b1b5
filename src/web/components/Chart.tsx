import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'preact/hooks';

echarts.use([
  LineChart,
  BarChart,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  SVGRenderer,
]);

export type ChartOption = echarts.EChartsCoreOption;

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
  const chart = useRef<echarts.ECharts>(undefined);
  useEffect(() => {
    const element = box.current!;
    chart.current = echarts.init(element, undefined, { renderer: 'svg' });
    const observer = new ResizeObserver(() => chart.current?.resize());
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.current?.dispose();
    };
  }, []);
  useEffect(() => {
    // Readers who asked for less motion get the chart without its transitions.
    const animation = !window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    chart.current?.setOption({ animation, tooltip: { renderMode: 'richText' }, ...option }, true);
  }, [option]);
  return <div ref={box} class="chart" role="img" aria-label={label} style={{ height: `${height}px` }} />;
}
