// Types of freshness.js (plain JavaScript: bin/sumi.js runs it before anything is compiled).
export declare const BUILD_SOURCES: readonly string[];
export declare function newestSourceMs(root: string): number;
export declare function buildIsFresh(root: string): boolean;
export declare function compileIfStale(root: string, stdio?: 'pipe' | 'inherit'): void;
