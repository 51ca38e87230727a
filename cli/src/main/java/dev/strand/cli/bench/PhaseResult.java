package dev.strand.cli.bench;

/**
 * One measured phase of one round. Field names are the stable JSON of {@code bench-results.json}.
 *
 * @param ops        operations completed (for readdir: entries read; for store/fetch: transfers)
 * @param bytes      bytes transferred (store/fetch), else 0
 * @param errors     operations that failed or were not done within the phase's time limit
 * @param rate       ops per second, or MB per second (1 MB = 1,000,000 bytes) for store/fetch
 * @param unit       "ops/s" or "MB/s"
 * @param firstError the first failure's message, if any
 */
public record PhaseResult(String phase, int clients, long ops, long bytes, long errors, double seconds, double rate,
                          String unit, String firstError) {
}
