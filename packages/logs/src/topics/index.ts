export * from "./taxonomy";
export * from "./fund";
export * from "./classify";
