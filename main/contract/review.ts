/**
 * The Review and Models screens' commands (part of the one contract, composed into `Commands` in
 * index.ts): a model's evaluation on its fold's validation cases, the 'evaluate' job that writes it,
 * a model's export facts (ONNX header, model card, parity) and the native save dialog.
 * Pure types and constants, like index.ts: preload and renderer import it.
 */
import type { JobInfo } from './index.ts';

export interface ReviewCommands {
  /**
   * The model's evaluation on its fold's validation cases (predictions/<modelId>/metrics.json), cases
   * worst first; null until an 'evaluate' job has written it.
   */
  'review.metrics': { request: { workspace: string; modelId: string }; response: ReviewMetrics | null };
  /**
   * Starts an 'evaluate' job: the model predicts its fold's validation cases into
   * predictions/<modelId>/ (source geometry) and Dice, IoU, HD95 and surface Dice go to metrics.json there.
   */
  'review.evaluate': { request: { workspace: string; modelId: string }; response: JobInfo };
  /** What the Models screen shows of one model: its model.onnx header and metadata, the model card, the last parity check. */
  'models.describe': { request: { workspace: string; modelId: string }; response: ModelDescription };
  /** A native save dialog in Electron; in browser mode `path` is null and `reason` says why (type the path instead). */
  'dialog.chooseSaveFile': { request: { title?: string; defaultName?: string }; response: { path: string | null; reason?: string } };
}

export const REVIEW_COMMAND_NAMES = ['review.metrics', 'review.evaluate', 'models.describe', 'dialog.chooseSaveFile'] as const satisfies readonly (keyof ReviewCommands)[];

/** A foreground label: its value in the label maps and its name in dataset.json. */
export interface ReviewLabel {
  value: number;
  name: string;
}

/** One validation case; metrics are keyed by label value, null where both masks are empty (not applicable). */
export interface ReviewCase {
  caseId: string;
  dice: Record<string, number | null>;
  /** Mean Dice over the labels that apply; null when none does. */
  meanDice: number | null;
}

export interface ReviewMetrics {
  modelId: string;
  /** The fold the model was trained on (its validation cases are the ones evaluated); null when unknown. */
  fold: number | 'all' | null;
  labels: ReviewLabel[];
  /** Worst mean Dice first; cases where no label applies last. */
  cases: ReviewCase[];
  /** Mean Dice per label value over the cases where it applies. */
  meanPerLabel: Record<string, number | null>;
  meanDice: number | null;
  /** ISO time metrics.json was written. */
  evaluatedAt: string;
}

export interface OnnxTensorSummary {
  name: string;
  /** Sizes, or symbolic names for dynamic axes; null when the model gives no shape. */
  shape: (number | string | null)[] | null;
}

export interface ModelDescription {
  modelId: string;
  /** models/<modelId>/model.onnx as written by training or the last export; null when absent or unreadable. */
  onnx: {
    path: string;
    bytes: number;
    irVersion: number;
    opsets: { domain: string; version: number }[];
    producer: string;
    inputs: OnnxTensorSummary[];
    outputs: OnnxTensorSummary[];
    /** metadata_props: preprocessing facts (spacing, normalization, labels, patch size...). */
    metadata: Record<string, string>;
  } | null;
  /** Why model.onnx could not be read (absent or not ONNX); null when it was read. */
  onnxProblem: string | null;
  /** model-card.md as text (Markdown); null when absent. */
  modelCard: string | null;
  /** The ONNX parity check recorded in metrics.json (training's export); null when absent. */
  parity: { maxAbsDifference: number; tolerance: number; passed: boolean } | null;
}
