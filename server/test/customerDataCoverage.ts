// Which collections hold data about a customer, read from the mongoose schemas themselves: a path that
// names a customer (customerId and its kin) or a path marked `personal: true`.
import type { Schema } from 'mongoose';

type SchemaLike = Pick<Schema, 'eachPath'>;

/** Paths that name a customer or one of their WeChat identities, wherever they sit in a document. */
export const CUSTOMER_REFERENCE = /(^|\.)(customerId|claimantId|toCustomerId|receivedFrom|openid|unionid)$/;

/** Every path of the schema (subdocuments included) that names a customer or holds personal data. */
export function personalPathsOf(schema: SchemaLike, prefix = ''): string[] {
  const found: string[] = [];
  schema.eachPath((path, type) => {
    const full = prefix + path;
    const options = (type as unknown as { options?: { personal?: boolean } }).options;
    if (CUSTOMER_REFERENCE.test(full) || options?.personal === true) found.push(full);
    const sub = (type as unknown as { schema?: SchemaLike }).schema;
    if (sub) found.push(...personalPathsOf(sub, `${full}.`));
  });
  return found;
}

export interface Uncovered {
  collection: string;
  paths: string[];
}

/**
 * The collections that hold customer data but that no module's part claims (and that are not
 * exempted, with a reason), plus claims of collections that no model has (a misspelt claim).
 */
export function uncoveredCollections(
  models: Array<{ collection: { collectionName: string }; schema: SchemaLike }>,
  claimed: Iterable<string>,
  exempt: Record<string, string> = {},
): { uncovered: Uncovered[]; unknownClaims: string[] } {
  const claims = new Set(claimed);
  const uncovered: Uncovered[] = [];
  const collections = new Set<string>();
  for (const model of models) {
    const collection = model.collection.collectionName;
    collections.add(collection);
    const paths = personalPathsOf(model.schema);
    if (paths.length && !claims.has(collection) && !(collection in exempt)) uncovered.push({ collection, paths });
  }
  return { uncovered, unknownClaims: [...claims].filter((c) => !collections.has(c)) };
}
