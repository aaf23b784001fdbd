/**
 * What the research this project grew from published, as far as this repository knows it. Only the
 * two ratios quoted in the project's issues are known here (async throughput 2.5× sync, async P95
 * 0.44× sync); the paper's absolute figures are not in the repository, so the report shows
 * "not available" for them rather than inventing any.
 */
export const PUBLISHED_FIGURES = {
  /** Async accept-path throughput ÷ sync throughput. */
  asyncToSyncThroughput: 2.5,
  /** Async P95 latency ÷ sync P95 latency. */
  asyncToSyncP95: 0.44,
  source:
    'the research paper, as quoted in this project\'s issue on load tests ("the research measured 2.5× and 0.44×")',
} as const;

/** Text shown where the paper's figure is not known. */
export const NOT_PUBLISHED_HERE = 'n/a (not in this repository)';
