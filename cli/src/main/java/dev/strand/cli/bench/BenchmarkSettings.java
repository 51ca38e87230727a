package dev.strand.cli.bench;

import dev.strand.client.ClientSettings;

import java.time.Duration;
import java.util.List;

/**
 * What {@link Benchmark} measures.
 *
 * @param clientCounts  a round per count; each client has its own connection and directory
 * @param files         small files per round, split among its clients
 * @param sizeBytes     bytes stored and fetched per round, split among its clients
 * @param depth         requests each client keeps in flight during the metadata phases
 * @param phaseTimeout  the most one phase may take; what is not done by then counts as errors
 * @param smallFiles    files with contents per round, by path (the small-file workload), split among its clients
 * @param smallFileBytes the size of each of them
 */
public record BenchmarkSettings(ClientSettings client, String volume, List<Integer> clientCounts, int files,
                                long sizeBytes, int depth, Duration phaseTimeout, int smallFiles, int smallFileBytes) {

    /** Without the small-file workload. */
    public BenchmarkSettings(ClientSettings client, String volume, List<Integer> clientCounts, int files,
                             long sizeBytes, int depth, Duration phaseTimeout) {
        this(client, volume, clientCounts, files, sizeBytes, depth, phaseTimeout, 0, 4096);
    }

    public BenchmarkSettings {
        if (clientCounts.isEmpty() || clientCounts.stream().anyMatch(c -> c < 1)) {
            throw new IllegalArgumentException("client counts must be at least 1");
        }
        if (files < 0 || sizeBytes < 0 || smallFiles < 0 || smallFileBytes < 0) {
            throw new IllegalArgumentException("files and sizes must not be negative");
        }
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be at least 1");
        }
        clientCounts = List.copyOf(clientCounts);
    }
}
