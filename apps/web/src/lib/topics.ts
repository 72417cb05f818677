/** Topic ids as the dashboard names them (the taxonomy's labels, packages/logs/src/topics/taxonomy.ts). */
const LABELS: Record<string, string> = {
  returns: "Returns & performance",
  risk: "Risk",
  fees: "Fees & charges",
  liquidity: "Payments, liquidity & exit",
  sharia: "Sharia & zakat",
  tax: "Tax & ISA",
  documents: "Documents & reports",
  horizon: "Investment horizon & term",
  strategy: "Strategy, team & portfolio",
  other: "Other",
};

export function topicLabel(id: string | null): string {
  if (id === null) return "Unclassified";
  return LABELS[id] ?? id;
}
