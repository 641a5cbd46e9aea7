/**
 * Imported first, for its side effect alone, by every page and worker, so it runs before any
 * other code of the bundle (esbuild evaluates modules in import order, and a bare import is never
 * moved by the import sorter): it marks when the script's own code began, after its download,
 * parse and compile.
 */
performance.mark('cold-start:first-statement')
