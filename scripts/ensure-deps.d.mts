/** Types of `ensure-deps.mjs` (plain JavaScript so that any Node can run it), for its tests. */
export declare function requiredNodeMajor(range: string | undefined): number;
export declare function nodeAdvice(version: string, required: number, nodePath?: string): string | null;
export declare function dependencyDrift(root: string): string | null;
