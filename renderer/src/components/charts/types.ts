/** The data the chart components draw (kept apart from the .vue files so that stores and views import plain types). */

export interface LineSeries {
  id: string;
  label: string;
  points: ReadonlyArray<{ x: number; y: number }>;
  /** A CSS colour; default: the palette's series colours in order. */
  color?: string;
  dashed?: boolean;
}

export interface Bar {
  id: string;
  label: string;
  value: number;
  /** A CSS colour; default: the first series colour. */
  color?: string;
  /** Extra words after the value (e.g. "in 10 of 10 cases"). */
  detail?: string;
}

/** One channel's intensity range: min, 0.5th percentile, median, mean, 99.5th percentile, max. */
export interface RangeRow {
  id: string;
  label: string;
  min: number;
  low: number;
  median: number;
  mean: number;
  high: number;
  max: number;
}
