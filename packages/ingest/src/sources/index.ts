export { FolderSource } from "./folder";
export { S3Source, createS3Client, cleanEtag, normalizePrefix, type S3SourceOptions } from "./s3";
export { parseSource, type SourceSettings } from "./parse";
export { inTimeRange, judgeKey, type KeyVerdict } from "./filter";
export {
  SourceError,
  createListStats,
  type ListFilter,
  type ListStats,
  type OpenOptions,
  type Source,
  type SourceErrorCode,
  type SourceObject,
} from "./types";
