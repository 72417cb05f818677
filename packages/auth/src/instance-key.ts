import type { Queryable } from "@log-insights/store";
import { randomSecret } from "./secrets";

const cache = new WeakMap<object, Map<string, Promise<string>>>();

/**
 * A secret key of this installation, for keyed hashes (sign-in addresses,
 * erased investors): AUTH_SECRET when set, else made once at random and kept
 * in auth_settings, so every process of the installation uses the same key.
 * Kept beside the data it hashes: it stops the hashes from being reversed by
 * anyone who reads a dump but not the settings table; set AUTH_SECRET to keep
 * it out of the database entirely.
 */
export function instanceKey(db: Queryable, name: string, fromEnv = process.env.AUTH_SECRET): Promise<string> {
  if (fromEnv) return Promise.resolve(`${name}:${fromEnv}`);
  let perDb = cache.get(db);
  if (!perDb) cache.set(db, (perDb = new Map()));
  let key = perDb.get(name);
  if (!key) {
    key = (async () => {
      await db.query("INSERT INTO auth_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", [name, randomSecret()]);
      const { rows } = await db.query<{ value: string }>("SELECT value FROM auth_settings WHERE name = $1", [name]);
      return rows[0]!.value;
    })();
    key.catch(() => perDb!.delete(name));
    perDb.set(name, key);
  }
  return key;
}
