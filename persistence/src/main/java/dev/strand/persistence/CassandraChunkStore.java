package dev.strand.persistence;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.OptionsMap;
import com.datastax.oss.driver.api.core.config.TypedDriverOption;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * {@link ChunkStore} in Cassandra. Two tables in one keyspace:
 *
 * <pre>
 * chunks (blob_id uuid, segment bigint, idx int, data blob, PRIMARY KEY ((blob_id, segment), idx))
 * blobs  (volume_id bigint, blob_id uuid, touched timestamp, PRIMARY KEY (volume_id, blob_id))
 * </pre>
 *
 * Chunk {@code n} of a blob lives in partition {@code (blob_id, n / 64)} at {@code idx = n % 64}.
 * Every statement is prepared, idempotent and runs at LOCAL_QUORUM (the same as ONE with a
 * replication factor of 1). The returned stages complete on driver threads: continuations must not
 * block (use the async variants with an executor for blocking work).
 */
public final class CassandraChunkStore implements ChunkStore {

    public static final String DEFAULT_KEYSPACE = "strand";
    public static final String LOCAL_DATACENTER = "datacenter1";

    private static final Pattern KEYSPACE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,47}");
    /** A 256 KiB write waits for the commit-log fsync; the driver's 2 s default is tight on a busy disk. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration SCHEMA_TIMEOUT = Duration.ofSeconds(30);

    private final CqlSession session;
    private final String keyspace;
    private final LongSupplier clockMillis;
    private final PreparedStatement insertChunk;
    private final PreparedStatement selectChunk;
    private final PreparedStatement selectFirstChunkOfSegment;
    private final PreparedStatement deleteSegment;
    private final PreparedStatement upsertBlob;
    private final PreparedStatement deleteBlobRegistration;
    private final PreparedStatement selectBlobs;

    private CassandraChunkStore(CqlSession session, String keyspace, LongSupplier clockMillis) {
        this.session = session;
        this.keyspace = keyspace;
        this.clockMillis = clockMillis;
        String chunks = keyspace + ".chunks";
        String blobs = keyspace + ".blobs";
        insertChunk = prepare("INSERT INTO " + chunks + " (blob_id, segment, idx, data) VALUES (?, ?, ?, ?)");
        selectChunk = prepare("SELECT data FROM " + chunks + " WHERE blob_id = ? AND segment = ? AND idx = ?");
        selectFirstChunkOfSegment = prepare("SELECT idx FROM " + chunks + " WHERE blob_id = ? AND segment = ? LIMIT 1");
        deleteSegment = prepare("DELETE FROM " + chunks + " WHERE blob_id = ? AND segment = ?");
        upsertBlob = prepare("INSERT INTO " + blobs + " (volume_id, blob_id, touched) VALUES (?, ?, ?)");
        deleteBlobRegistration = prepare("DELETE FROM " + blobs + " WHERE volume_id = ? AND blob_id = ?");
        selectBlobs = prepare("SELECT blob_id, touched FROM " + blobs + " WHERE volume_id = ?");
    }

    /**
     * Connects to Cassandra at {@code host:port}, creates the keyspace (SimpleStrategy) and tables if
     * missing, and prepares the statements. Blocks until ready; throws if Cassandra does not answer.
     */
    public static CassandraChunkStore connect(String host, int port, String keyspace, int replicationFactor) {
        return connect(host, port, keyspace, replicationFactor, System::currentTimeMillis);
    }

    /** As {@link #connect(String, int, String, int)}, with the clock that stamps registrations. */
    public static CassandraChunkStore connect(String host, int port, String keyspace, int replicationFactor,
            LongSupplier clockMillis) {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(clockMillis, "clockMillis");
        if (keyspace == null || !KEYSPACE_NAME.matcher(keyspace).matches()) {
            throw new IllegalArgumentException("keyspace must match " + KEYSPACE_NAME + ": " + keyspace);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replicationFactor must be at least 1: " + replicationFactor);
        }
        CqlSession session = CqlSession.builder()
                .withConfigLoader(driverConfig())
                .addContactPoint(new InetSocketAddress(host, port))
                .withLocalDatacenter(LOCAL_DATACENTER)
                .build();
        try {
            createSchema(session, keyspace, replicationFactor);
            return new CassandraChunkStore(session, keyspace, clockMillis);
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    /** Driver defaults plus ours; deliberately blind to any application.conf on the classpath. */
    private static DriverConfigLoader driverConfig() {
        OptionsMap options = OptionsMap.driverDefaults();
        options.put(TypedDriverOption.REQUEST_TIMEOUT, REQUEST_TIMEOUT);
        options.put(TypedDriverOption.REQUEST_CONSISTENCY, ConsistencyLevel.LOCAL_QUORUM.name());
        options.put(TypedDriverOption.REQUEST_DEFAULT_IDEMPOTENCE, true);
        options.put(TypedDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(5));
        return DriverConfigLoader.fromMap(options);
    }

    private static void createSchema(CqlSession session, String keyspace, int replicationFactor) {
        ddl(session, "CREATE KEYSPACE IF NOT EXISTS " + keyspace
                + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': " + replicationFactor + "}");
        ddl(session, "CREATE TABLE IF NOT EXISTS " + keyspace + ".chunks ("
                + "blob_id uuid, segment bigint, idx int, data blob, "
                + "PRIMARY KEY ((blob_id, segment), idx))");
        ddl(session, "CREATE TABLE IF NOT EXISTS " + keyspace + ".blobs ("
                + "volume_id bigint, blob_id uuid, touched timestamp, "
                + "PRIMARY KEY (volume_id, blob_id))");
    }

    private static void ddl(CqlSession session, String cql) {
        session.execute(SimpleStatement.newInstance(cql).setTimeout(SCHEMA_TIMEOUT));
    }

    /** The session and keyspace, shared with {@link CassandraNodeLeases} (closed with this store). */
    CqlSession session() {
        return session;
    }

    String keyspace() {
        return keyspace;
    }

    private PreparedStatement prepare(String cql) {
        return session.prepare(cql);
    }

    @Override
    public CompletionStage<Void> registerBlob(long volumeId, UUID blobId) {
        Objects.requireNonNull(blobId, "blobId");
        Instant now = Instant.ofEpochMilli(clockMillis.getAsLong());
        return run(upsertBlob.bind(volumeId, blobId, now));
    }

    @Override
    public CompletionStage<Void> writeChunk(UUID blobId, long index, ByteBuffer data) {
        Objects.requireNonNull(blobId, "blobId");
        Objects.requireNonNull(data, "data");
        if (index < 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("negative chunk index " + index));
        }
        if (data.remaining() > CHUNK_SIZE) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "chunk of " + data.remaining() + " bytes exceeds CHUNK_SIZE " + CHUNK_SIZE));
        }
        // The driver reads the buffer when it sends the request, later: copy so the caller may reuse it.
        ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data.duplicate()).flip();
        return run(insertChunk.bind(blobId, segmentOf(index), slotOf(index), copy));
    }

    @Override
    public CompletionStage<ByteBuffer> readChunk(UUID blobId, long index) {
        Objects.requireNonNull(blobId, "blobId");
        if (index < 0) {
            return CompletableFuture.completedFuture(null);
        }
        return session.executeAsync(selectChunk.bind(blobId, segmentOf(index), slotOf(index)))
                .thenApply(result -> {
                    Row row = result.one();
                    return row == null ? null : row.getByteBuffer(0);
                });
    }

    /**
     * Deletes segments 0, 1, 2, ... until one holds no chunk, then that one and the next as well (a
     * write into them may still have been in flight when an upload was abandoned), and only then the
     * registration, so that a crash half-way leaves the blob registered and the collector retries.
     */
    @Override
    public CompletionStage<Void> deleteBlob(long volumeId, UUID blobId) {
        Objects.requireNonNull(blobId, "blobId");
        return deleteSegmentsFrom(blobId, 0)
                .thenCompose(done -> run(deleteBlobRegistration.bind(volumeId, blobId)));
    }

    private CompletionStage<Void> deleteSegmentsFrom(UUID blobId, long segment) {
        return session.executeAsync(selectFirstChunkOfSegment.bind(blobId, segment)).thenCompose(probe -> {
            boolean segmentHadChunks = probe.one() != null;
            CompletionStage<Void> deleted = run(deleteSegment.bind(blobId, segment));
            if (segmentHadChunks) {
                return deleted.thenCompose(done -> deleteSegmentsFrom(blobId, segment + 1));
            }
            return deleted.thenCompose(done -> run(deleteSegment.bind(blobId, segment + 1)));
        });
    }

    @Override
    public CompletionStage<List<BlobRecord>> listBlobs(long volumeId) {
        return session.executeAsync(selectBlobs.bind(volumeId))
                .thenCompose(first -> collectBlobs(first, new ArrayList<>()));
    }

    private CompletionStage<List<BlobRecord>> collectBlobs(AsyncResultSet page, List<BlobRecord> collected) {
        for (Row row : page.currentPage()) {
            Instant touched = row.getInstant(1);
            collected.add(new BlobRecord(row.getUuid(0), touched == null ? 0L : touched.toEpochMilli()));
        }
        if (page.hasMorePages()) {
            return page.fetchNextPage().thenCompose(next -> collectBlobs(next, collected));
        }
        return CompletableFuture.completedFuture(List.copyOf(collected));
    }

    private CompletionStage<Void> run(BoundStatement statement) {
        return session.executeAsync(statement).thenApply(ignored -> null);
    }

    static long segmentOf(long chunkIndex) {
        return chunkIndex / CHUNKS_PER_SEGMENT;
    }

    static int slotOf(long chunkIndex) {
        return (int) (chunkIndex % CHUNKS_PER_SEGMENT);
    }

    @Override
    public void close() {
        session.close();
    }
}
