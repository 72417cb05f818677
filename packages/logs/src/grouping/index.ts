/** Grouping questions into "common questions", and labelling clusters of questions. */
export {
  groupQuestions,
  questionGroupId,
  DEFAULT_GROUP_THRESHOLD,
  type QuestionItem,
  type QuestionGroup,
  type GroupOptions,
} from "./group";
export { labelClusters, clusterOther, type LabelInput, type ClusterLabel, type LabelOptions, type OtherCluster, type ClusterOtherOptions } from "./labels";
export { canonicalize, buildCorpusModel, stem, type CanonicalQuestion, type CorpusModel, type CorpusDoc, type CorpusOptions } from "./canonical";
