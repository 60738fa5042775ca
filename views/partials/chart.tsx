/** Charts drawn by public/js/charts.js with uPlot: the reports' and the dashboard's. */

/** What public/js/charts.js draws with uPlot; x is epoch seconds. */
export interface ChartSpec {
  title: string;
  /** Legend label of the x values ("Day", "Time"). */
  xLabel: string;
  tz: string;
  x: number[];
  series: { label: string; values: (number | null)[]; kind: "bars" | "line"; color: string; axis?: 0 | 1; unit: string }[];
}

/** A chart: the data travels as JSON in a data attribute (no inline script; see the CSP). */
export function Chart({ spec }: { spec: ChartSpec }) {
  return (
    <figure class="chart" data-chart={JSON.stringify(spec)}>
      <figcaption>{spec.title}</figcaption>
      <div class="chart-area" />
    </figure>
  );
}

/** uPlot and the script that draws every chart of the page. */
export function ChartScripts() {
  return (
    <>
      <link rel="stylesheet" href="/assets/vendor/uPlot.min.css" />
      <script src="/assets/vendor/uPlot.iife.min.js" defer></script>
      <script src="/assets/js/charts.js" defer></script>
    </>
  );
}
