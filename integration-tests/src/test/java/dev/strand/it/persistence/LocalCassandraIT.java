package dev.strand.it.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strand.persistence.CassandraChunkStore;
import dev.strand.persistence.cassandra.CassandraSettings;
import dev.strand.persistence.cassandra.LocalCassandra;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Lifecycle of a LocalCassandra of its own (beside the shared one, on other ports): what a Strand
 * server relies on when it restarts or when Cassandra dies under it.
 */
class LocalCassandraIT {

    private static final String KEYSPACE = "local_cassandra_it";
    private static LocalCassandra cassandra;

    @BeforeAll
    static void start() throws IOException {
        Path dir = Paths.get("target", "it-local-cassandra").toAbsolutePath();
        wipe(dir);
        cassandra = new LocalCassandra(CassandraSettings.builder(dir)
                .nativePort(29142)
                .storagePort(27100)
                .build());
        cassandra.start();
    }

    @AfterAll
    static void stop() {
        if (cassandra != null) {
            cassandra.stop();
        }
    }

    private static ByteBuffer text(String value) {
        return ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8));
    }

    private static CassandraChunkStore connect() {
        return CassandraChunkStore.connect(cassandra.host(), cassandra.port(), KEYSPACE, 1);
    }

    @Test
    void restartAfterAStopKeepsTheData() {
        UUID blob = UUID.randomUUID();
        try (CassandraChunkStore store = connect()) {
            store.writeChunk(blob, 0, text("before restart")).toCompletableFuture().join();
        }
        long firstPid = cassandra.pid();

        cassandra.stop();
        assertThat(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
        cassandra.start();

        assertThat(cassandra.pid()).isNotEqualTo(firstPid);
        try (CassandraChunkStore store = connect()) {
            assertThat(store.readChunk(blob, 0).toCompletableFuture().join()).isEqualTo(text("before restart"));
        }
    }

    @Test
    void acknowledgedWriteSurvivesCassandraBeingKilled() {
        UUID blob = UUID.randomUUID();
        try (CassandraChunkStore store = connect()) {
            store.writeChunk(blob, 0, text("acknowledged")).toCompletableFuture().join();
        }

        // SIGKILL: no drain, no memtable flush; only the commit log has the write.
        ProcessHandle process = ProcessHandle.of(cassandra.pid()).orElseThrow();
        process.destroyForcibly();
        process.onExit().join();
        cassandra.start();

        try (CassandraChunkStore store = connect()) {
            assertThat(store.readChunk(blob, 0).toCompletableFuture().join()).isEqualTo(text("acknowledged"));
        }
    }

    private static void wipe(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
