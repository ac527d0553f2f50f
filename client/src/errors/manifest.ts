import { BaseError } from "./base.ts";

/** One problem found in a manifest: where (a path such as `splits.train[2].samples`), what was expected, what was found. */
export type ManifestIssue = { path: string; expected: string; found: string };

/** Thrown when a manifest does not match its schema. Lists every problem, not only the first. */
export class ManifestValidationError extends BaseError {
  override name = "ManifestValidationError";
  static override readonly code: string = "MANIFEST_VALIDATION";
  readonly kind: string;
  readonly issues: ManifestIssue[];

  constructor(params: { kind: string; issues: ManifestIssue[]; cid?: string | undefined }) {
    const count = params.issues.length;
    super(`Invalid ${params.kind} manifest${params.cid ? ` ${params.cid}` : ""}: ${count} problem${count === 1 ? "" : "s"}.`, {
      details: params.issues.map((i) => `${i.path || "(root)"}: expected ${i.expected}, found ${i.found}`).join("; "),
      hint:
        "Fix the listed fields " +
        "(the builders buildDatasetManifest, buildModelManifest and buildUpdateManifest produce valid manifests).",
    });
    this.kind = params.kind;
    this.issues = params.issues;
  }
}
