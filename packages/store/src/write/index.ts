export * from "./copy-format";
export * from "./entries";
export * from "./questions";
export * from "./conversations";
export * from "./rollups";
export * from "./groups";
export * from "./split-questions";
