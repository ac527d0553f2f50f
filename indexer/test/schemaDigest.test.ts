import { expect } from "chai";
import { recordedSchemaDigest, schemaDigest } from "../lib/schemaDigest.ts";

describe("schema digest", () => {
  it(
    "ponder.schema.ts records the digest of schema/, so a schema change changes Ponder's build id " +
      "(run `npm run schema:digest -w @mycelium/indexer` when this fails)",
    () => {
      expect(recordedSchemaDigest()).to.equal(schemaDigest());
    },
  );
});
