export * from "./taxonomy";
export * from "./fund";
export * from "./classify";
export { TOPIC_MODEL, buildTopicModel, nearestExample, predictFeatures, questionFeatures } from "./model";
export type { ModelPrediction, TopicModel, TopicModelOptions } from "./model";
export { DEV_EXAMPLES, SEED_EXAMPLES } from "./examples";
export type { TopicExample } from "./examples";
