/**
 * Analytics helpers shared by the query layer and its tests: latency
 * histograms, time-zone aware chart buckets, and the rollup picker. Pure.
 */
export { LATENCY_GAMMA, latencyBin, binValue, binsOf, mergeBins, percentilesFromBins, type LatencyBins } from "./latency-histogram";
export { TimeRangeError, assertTimeZone, timeBuckets, type Interval, type TimeBucket, type TimeRangeErrorCode } from "./time-buckets";
export { coverRanges, describeCover, type Grain, type CoverSegment, type CoverOptions } from "./rollup-picker";
