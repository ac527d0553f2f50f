import * as tf from "@tensorflow/tfjs";
import { BackendUnavailableError, UnknownBackendError } from "./errors.ts";

/**
 * Compute backends for local training, best first. Only training runs on them: aggregation is plain TypeScript.
 * - `node-gpu`: @tensorflow/tfjs-node-gpu (libtensorflow with CUDA), TF.js backend "tensorflow".
 * - `node`: @tensorflow/tfjs-node (libtensorflow on the CPU), TF.js backend "tensorflow".
 * - `wasm`: @tensorflow/tfjs-backend-wasm (XNNPACK, SIMD), a dependency of this package, so always present.
 * - `cpu`: the plain JavaScript backend inside @tensorflow/tfjs.
 * The native packages are optional: they download libtensorflow when installed, so they are never dependencies;
 * install them yourself where that works and the trainer picks them up.
 */
export const BACKEND_NAMES = ["node-gpu", "node", "wasm", "cpu"] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

type BackendCandidate = { name: BackendName; packageName: string | null; tfBackend: string };

const CANDIDATES: readonly BackendCandidate[] = [
  { name: "node-gpu", packageName: "@tensorflow/tfjs-node-gpu", tfBackend: "tensorflow" },
  { name: "node", packageName: "@tensorflow/tfjs-node", tfBackend: "tensorflow" },
  { name: "wasm", packageName: "@tensorflow/tfjs-backend-wasm", tfBackend: "wasm" },
  { name: "cpu", packageName: null, tfBackend: "cpu" },
];

/** What happened when one backend was tried. */
export type BackendProbe = { name: BackendName; packageName: string | null; available: boolean; reason: string };

export type SelectBackendParameters = {
  /** A backend to use, or "auto" (the default) for the best one installed. */
  backend?: BackendName | "auto";
  /** Receives one line per decision; defaults to console.info. */
  log?: (message: string) => void;
};

export type SelectedBackend = {
  name: BackendName;
  /** The TF.js backend name now active (`tf.getBackend()`). */
  tfBackend: string;
  packageName: string | null;
  /** Every backend tried, in order, with why it was or was not taken. */
  probes: readonly BackendProbe[];
};

/**
 * Activates the compute backend for TF.js: the one named by `backend`, or with "auto" the first of node-gpu, node,
 * wasm, cpu whose package loads and initialises. Logs the choice. Throws UnknownBackendError for a name that is not
 * a backend and BackendUnavailableError when the named backend cannot be loaded.
 */
export async function selectBackend(params: SelectBackendParameters = {}): Promise<SelectedBackend> {
  const log = params.log ?? ((message: string) => console.info(message));
  const requested = parseBackendName(params.backend ?? "auto");
  const candidates = requested === "auto" ? CANDIDATES : CANDIDATES.filter((candidate) => candidate.name === requested);
  const probes: BackendProbe[] = [];
  for (const candidate of candidates) {
    const probe = await activate(candidate);
    probes.push(probe.probe);
    if (probe.probe.available) {
      const how = requested === "auto" ? "best available" : "requested with --backend";
      const skipped = probes.filter((p) => !p.available).map((p) => `${p.name} (${p.reason})`);
      log(
        `[trainer] compute backend: ${candidate.name} ` +
          `(${how}; TF.js backend "${tf.getBackend()}"${skipped.length ? `; skipped ${skipped.join(", ")}` : ""})`,
      );
      return { name: candidate.name, tfBackend: tf.getBackend(), packageName: candidate.packageName, probes };
    }
    if (requested !== "auto") {
      throw new BackendUnavailableError(candidate.name, {
        reason: probe.probe.reason,
        packageName: candidate.packageName,
        cause: probe.cause,
      });
    }
  }
  // The cpu backend ships inside @tensorflow/tfjs, so "auto" always ends there at the latest.
  throw new BackendUnavailableError("auto", { reason: probes.map((p) => `${p.name}: ${p.reason}`).join("; "), packageName: null });
}

/** Maps a `--backend` flag value to a backend name; throws UnknownBackendError for anything else. */
export function parseBackendName(value: string): BackendName | "auto" {
  if (value === "auto" || (BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName | "auto";
  throw new UnknownBackendError(value, BACKEND_NAMES);
}

/** Which backends' packages can be loaded here, best first, without changing the active backend. */
export async function probeBackends(): Promise<BackendProbe[]> {
  const probes: BackendProbe[] = [];
  for (const candidate of CANDIDATES) {
    const loaded = await loadPackage(candidate);
    probes.push({ ...loaded.probe });
  }
  return probes;
}

async function activate(candidate: BackendCandidate): Promise<{ probe: BackendProbe; cause?: unknown }> {
  const loaded = await loadPackage(candidate);
  if (!loaded.probe.available) return loaded;
  try {
    const ok = await tf.setBackend(candidate.tfBackend);
    await tf.ready();
    if (ok && tf.getBackend() === candidate.tfBackend) {
      return { probe: { name: candidate.name, packageName: candidate.packageName, available: true, reason: "loaded and initialised" } };
    }
    return {
      probe: {
        name: candidate.name,
        packageName: candidate.packageName,
        available: false,
        reason: "the package loaded but its backend failed to initialise",
      },
    };
  } catch (cause) {
    return {
      probe: {
        name: candidate.name,
        packageName: candidate.packageName,
        available: false,
        reason: `initialisation failed: ${messageOf(cause)}`,
      },
      cause,
    };
  }
}

async function loadPackage(candidate: BackendCandidate): Promise<{ probe: BackendProbe; cause?: unknown }> {
  const { name, packageName } = candidate;
  if (packageName === null) return { probe: { name, packageName, available: true, reason: "built into @tensorflow/tfjs" } };
  try {
    // A variable specifier: the optional packages are not dependencies, so neither TypeScript nor a bundler may
    // resolve them ahead of time.
    const specifier: string = packageName;
    await import(specifier);
    return { probe: { name, packageName, available: true, reason: "package loaded" } };
  } catch (cause) {
    // "Not installed" only when the package itself is missing, not one of its own dependencies.
    const code = (cause as { code?: unknown }).code;
    const missing = (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") && messageOf(cause).includes(`'${packageName}'`);
    const reason = missing ? `${packageName} is not installed` : `${packageName} failed to load: ${messageOf(cause)}`;
    return { probe: { name, packageName, available: false, reason }, cause };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.split("\n")[0]! : String(error);
}
