/**
 * When things happen: the generated period is `days` windows of 24 h ending
 * at `end`; within a window, activity follows a daily curve in UK local time
 * (quiet at night, busy at lunchtime and in the evening).
 */
import type { Rng } from "./prng";

export const DAY_MS = 86_400_000;

/** Relative activity per UK local hour (0-23). */
const HOURLY = [
  0.25, 0.15, 0.1, 0.08, 0.08, 0.12, 0.3, 0.6, 0.9, 1.0, 1.0, 1.0, 1.1, 1.05, 0.95, 0.9, 0.9, 0.95, 1.05, 1.2, 1.25, 1.1,
  0.8, 0.45,
];
const HOURLY_MAX = Math.max(...HOURLY);

function lastSundayUtc(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, lastDay.getUTCDate() - lastDay.getUTCDay(), 1);
}

/** UK offset from UTC in hours at `t` (BST from the last Sunday of March to the last Sunday of October, 01:00 UTC). */
export function ukOffsetHours(t: number): number {
  const year = new Date(t).getUTCFullYear();
  return t >= lastSundayUtc(year, 2) && t < lastSundayUtc(year, 9) ? 1 : 0;
}

export function ukHour(t: number): number {
  return Math.floor(((t / 3_600_000 + ukOffsetHours(t)) % 24 + 24) % 24);
}

/** A time in [from, to) drawn from the daily curve (rejection sampling). */
export function sampleTime(r: Rng, from: number, to: number): number {
  for (let i = 0; i < 1000; i++) {
    const t = from + Math.floor(r.next() * (to - from));
    if (r.next() * HOURLY_MAX < (HOURLY[ukHour(t)] as number)) return t;
  }
  return from + Math.floor(r.next() * (to - from));
}

export interface DayWindow {
  index: number;
  from: number;
  to: number;
}

export function dayWindows(end: number, days: number): DayWindow[] {
  const out: DayWindow[] = [];
  for (let i = 0; i < days; i++) out.push({ index: i, from: end - (days - i) * DAY_MS, to: end - (days - i - 1) * DAY_MS });
  return out;
}
