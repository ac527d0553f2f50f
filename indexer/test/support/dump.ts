/**
 * Reads every row of every table through the GraphQL API (found by introspection, paginated with cursors), so two
 * indexers can be compared for identical answers: PGlite against PostgreSQL, or a crashed-and-restarted indexer against
 * one that never stopped.
 */
import { gql } from "./ponder.ts";

type IntrospectedType = { kind: string; name: string | null; ofType?: IntrospectedType | null };
type IntrospectedField = { name: string; type: IntrospectedType };

/** Named type under NON_NULL / LIST wrappers. */
function named(type: IntrospectedType): IntrospectedType {
  return type.ofType == null ? type : named(type.ofType);
}

export type Dump = Record<string, Record<string, unknown>[]>;

export async function dumpAll(url: string): Promise<Dump> {
  const schema = await gql<{ __schema: { queryType: { fields: IntrospectedField[] } } }>(
    url,
    "{ __schema { queryType { fields { name type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }",
  );
  const dump: Dump = {};
  for (const field of schema.__schema.queryType.fields) {
    const pageType = named(field.type).name;
    if (pageType === null || !pageType.endsWith("Page")) continue;
    const rowType = pageType.slice(0, -"Page".length);
    const columns = await scalarFields(url, rowType);
    const rows: Record<string, unknown>[] = [];
    let after: string | null = null;
    for (;;) {
      const page: { [key: string]: { items: Record<string, unknown>[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } =
        await gql(
          url,
          `query ($after: String) { ${field.name}(limit: 1000, after: $after) { items { ${columns.join(" ")} } pageInfo { hasNextPage endCursor } } }`,
          {
            after,
          },
        );
      const { items, pageInfo } = page[field.name]!;
      rows.push(...items);
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    dump[field.name] = rows;
  }
  return dump;
}

async function scalarFields(url: string, typeName: string): Promise<string[]> {
  const result = await gql<{ __type: { fields: IntrospectedField[] } }>(
    url,
    `{ __type(name: "${typeName}") { fields { name type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }`,
  );
  return result.__type.fields.filter((field) => ["SCALAR", "ENUM"].includes(named(field.type).kind)).map((field) => field.name);
}
