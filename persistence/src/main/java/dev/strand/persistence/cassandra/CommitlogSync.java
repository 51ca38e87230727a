package dev.strand.persistence.cassandra;

/**
 * When Cassandra acknowledges a write relative to the fsync of its commit log.
 *
 * <p>Only {@link #BATCH} and {@link #GROUP} keep Strand's promise that an acknowledged write survives a
 * crash or power cut: {@link #PERIODIC} acknowledges at once and fsyncs every window, so up to a whole
 * window of acknowledged writes can be lost.
 */
public enum CommitlogSync {
    /** Acknowledge immediately; fsync every window. Fast, but not crash-durable. */
    PERIODIC("periodic"),
    /** Acknowledge after the fsync that follows the write; concurrent writes share one fsync. */
    BATCH("batch"),
    /** Like batch, but fsyncs at most once per window, so every write waits up to a window. */
    GROUP("group");

    private final String yamlValue;

    CommitlogSync(String yamlValue) {
        this.yamlValue = yamlValue;
    }

    /** The value of {@code commitlog_sync} in cassandra.yaml. */
    public String yamlValue() {
        return yamlValue;
    }

    /** True if an acknowledged write is on disk. */
    public boolean crashDurable() {
        return this != PERIODIC;
    }
}
