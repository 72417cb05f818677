import SchemaBuilder from "@pothos/core";
import type { ApiContext } from "../context";

export interface SchemaTypes {
  Context: ApiContext;
  Scalars: {
    /** Epoch milliseconds inside, ISO-8601 text outside. */
    DateTime: { Input: number; Output: number };
    JSON: { Input: unknown; Output: unknown };
  };
  DefaultFieldNullability: false;
}

export type Types = PothosSchemaTypes.ExtendDefaultTypes<SchemaTypes>;

export const builder = new SchemaBuilder<SchemaTypes>({ defaultFieldNullability: false });
