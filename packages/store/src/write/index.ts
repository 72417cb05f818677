export * from "./copy-format";
export * from "./entries";
export * from "./questions";
export * from "./conversations";
