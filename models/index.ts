/**
 * The quality evaluator: a pretrained BERT-family ONNX model on CPU (onnxruntime-node) that scores a
 * (prompt, response) pair in basis points, its manifest and model files, and the background queue a
 * validator feeds. See models/README.md for the scoring rule, the truncation rule and provenance.
 */
export {
  createEvaluator,
  type Evaluator,
  type EvaluatorOptions,
  type ScoreDetail,
  type ScorePair,
} from "./evaluator.js";
export { createWorkerEvaluator } from "./worker-evaluator.js";
export {
  createSleepingEvaluator,
  type ClosableScorer,
  type SleepingEvaluator,
  type SleepingEvaluatorOptions,
} from "./sleeping-evaluator.js";
export { defaultSessions } from "./session-pool.js";
export {
  createScoringQueue,
  type BatchScorer,
  type ScoredItem,
  type ScoringQueue,
  type ScoringQueueOptions,
} from "./queue.js";
export {
  DEFAULT_MODEL_ID,
  checkModelFiles,
  loadManifest,
  resolveModelDir,
  roleFile,
  sha256File,
  verifyModelFiles,
  type FileCheck,
  type ModelFile,
  type ModelKind,
  type ModelManifest,
  type ScoreMapping,
} from "./manifest.js";
export { judgeFeatures, lazyFeatures, type LazyFeatures } from "./features.js";
export { EvaluatorError, ModelFilesError, ModelPullError } from "./errors.js";
