// A small line chart of the last minutes. Hand-written SVG (a polyline): a chart library would
// multiply the bundle for one line per cell; the numbers themselves are in the table beside it.
interface Props {
  values: (number | null)[];
  label: string;
  width?: number;
  height?: number;
}

export function Sparkline({ values, label, width = 120, height = 28 }: Props) {
  const known = values.filter((v): v is number => v !== null);
  const max = Math.max(...known, 0) || 1;
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values
    .map((v, i) => (v === null ? undefined : `${(i * step).toFixed(1)},${(height - 1 - (v / max) * (height - 2)).toFixed(1)}`))
    .filter(Boolean)
    .join(' ');
  return (
    <svg className="spark" role="img" aria-label={label} width={width} height={height} viewBox={`0 0 ${width} ${height}`}>
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}
