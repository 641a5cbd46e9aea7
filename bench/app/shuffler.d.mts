export declare function shuffler(n: number): () => number[]
