import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

/**
 * A bar chart (Chart.js, bundled: nothing from a CDN), with the same numbers in a table beside it
 * for screen readers and for print.
 */
export function BarChart(props: { title: string; counts: Record<string, number>; testId: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const labels = Object.keys(props.counts).sort();
  const values = labels.map((label) => props.counts[label] ?? 0);
  const key = JSON.stringify([labels, values]);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: { labels, datasets: [{ label: props.title, data: values, backgroundColor: '#0b5cad' }] },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
    return () => chart.destroy();
  }, [key, props.title]);
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <div class="chart-box">
        <canvas
          ref={canvas}
          role="img"
          aria-label={`${props.title} (bar chart; the table below has the numbers)`}
        />
      </div>
      <table class="list" data-testid={props.testId}>
        <caption class="sr-only">{props.title}</caption>
        <tbody>
          {labels.map((label, index) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td>{values[index]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
