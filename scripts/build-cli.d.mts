// Types of scripts/build-cli.mjs, for the tests that use it.
export declare const CLI_BUILD_VERSION: number;
export declare const MANIFEST: string;
export declare const FAILED: string;
export interface CliManifest {
  version: number;
  build: string;
  entry: string;
  inputs: Record<string, number>;
}
export declare function buildCli(options: { root: string; outdir?: string }): Promise<CliManifest>;
export declare function freshEntry(options: { root: string; outdir?: string }): string | undefined;
export declare function recordFailure(options: { root: string; outdir?: string }): void;
export declare function knownFailure(options: { root: string; outdir?: string }): boolean;
export declare function ensureBuilt(options: { root: string; outdir?: string }): Promise<string | undefined>;
