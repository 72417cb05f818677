/** Why a reader refused its input; `code` is stable and safe to show to API clients. */
export type ReadErrorCode =
  | "BAD_RANGE"
  | "BAD_TIME_ZONE"
  | "TOO_MANY_BUCKETS"
  | "BAD_FILTER"
  | "BAD_CURSOR"
  | "PAGE_TOO_LARGE"
  | "BAD_SEARCH";

export class ReadError extends Error {
  override name = "ReadError";
  constructor(
    readonly code: ReadErrorCode,
    message: string,
  ) {
    super(message);
  }
}
