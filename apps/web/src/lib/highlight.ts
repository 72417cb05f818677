/**
 * Splits text into plain and matched parts for highlighting search terms.
 * Pure and string-only: the parts are rendered by React as text, never as HTML.
 */
export interface TextPart {
  text: string;
  match: boolean;
}

export function highlightParts(text: string, terms: readonly string[]): TextPart[] {
  const words = [...new Set(terms.map((t) => t.trim()).filter((t) => t.length > 0))].sort((a, b) => b.length - a.length);
  if (words.length === 0 || text.length === 0) return [{ text, match: false }];
  const pattern = new RegExp(`(${words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})`, "giu");
  const out: TextPart[] = [];
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    const i = m.index;
    if (i > last) out.push({ text: text.slice(last, i), match: false });
    out.push({ text: m[0], match: true });
    last = i + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), match: false });
  return out;
}

/** The words of a search box worth highlighting (stems match their plurals: "fee" marks "fees"). */
export function searchWords(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}%£$€.]+/gu) ?? []).filter((w) => w.length > 1 && !["or", "and", "the"].includes(w))
    .map((w) => (w.length > 3 && w.endsWith("s") ? w.slice(0, -1) : w));
}
