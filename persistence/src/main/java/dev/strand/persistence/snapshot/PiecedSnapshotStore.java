package dev.strand.persistence.snapshot;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.typesafe.config.Config;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.snapshot.japi.SnapshotStore;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;

/**
 * A Pekko Persistence snapshot store in Cassandra whose snapshots have no size limit: a snapshot is cut into pieces of
 * at most {@code piece-size} bytes, each its own row (one Cassandra mutation, far below the commit log's limit of half
 * a segment), beside a small head row that names them. pekko-persistence-cassandra's own store writes a snapshot as
 * one row, which Cassandra refuses past that limit (a volume of about 120,000 files): the volume then recovered by
 * replaying its whole journal. Two tables in the snapshot keyspace:
 *
 * <pre>
 * snapshot_heads  (persistence_id text, sequence_nr bigint, timestamp bigint, ser_id int, ser_manifest text,
 *                  pieces int, bytes bigint, PRIMARY KEY (persistence_id, sequence_nr))  -- newest first
 * snapshot_pieces (persistence_id text, sequence_nr bigint, piece int, data blob,
 *                  PRIMARY KEY ((persistence_id, sequence_nr), piece))
 * </pre>
 *
 * A save writes its head first with {@code pieces = -1} (so that a delete finds the pieces of a save that died
 * half-way), then the pieces, then the head again with their count: a snapshot is only ever loaded whole. A load takes
 * the newest complete snapshot the criteria select; one whose pieces are not all there, or that does not deserialize,
 * is passed over for the next older one (the journal still has every event after it). A delete removes the head and
 * the pieces' partition. Reads ask for a few pieces per page, so memory holds the snapshot once (as Pekko does anyway)
 * plus a page.
 */
public final class PiecedSnapshotStore extends SnapshotStore {

    private static final Pattern KEYSPACE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,47}");
    /** Pieces per page of a read: a page holds at most this many pieces' bytes. */
    private static final int PIECES_PER_PAGE = 4;

    private final String keyspace;
    private final int replicationFactor;
    private final boolean createSchema;
    private final int pieceBytes;
    private final CompletionStage<CqlSession> session;
    private final Serialization serialization;
    private final Executor executor;
    /** The session with the schema in place and the statements prepared; made again if it failed. */
    private volatile CompletableFuture<Statements> ready;

    private record Statements(CqlSession session, PreparedStatement insertHead, PreparedStatement insertPiece,
                              PreparedStatement selectHeads, PreparedStatement selectPieces,
                              PreparedStatement deleteHead, PreparedStatement deletePieces) {}

    private record Head(long sequenceNr, long timestamp, int serializerId, String manifest, int pieces, long bytes) {}

    public PiecedSnapshotStore(Config config) {
        keyspace = config.getString("keyspace");
        if (!KEYSPACE_NAME.matcher(keyspace).matches()) {
            throw new IllegalArgumentException("not a keyspace name: " + keyspace);
        }
        replicationFactor = config.getInt("replication-factor");
        createSchema = config.getBoolean("tables-autocreate");
        long piece = config.getBytes("piece-size");
        if (piece < 1024 || piece > 8L << 20) {
            throw new IllegalArgumentException("piece-size must be between 1 KiB and 8 MiB, not " + piece);
        }
        pieceBytes = (int) piece;
        session = CassandraSessionRegistry.get(context().system()).sessionFor(config.getString("session-config-path"))
                .underlying();
        serialization = SerializationExtension.get(context().system());
        executor = context().dispatcher();
    }

    private CompletableFuture<Statements> ready() {
        CompletableFuture<Statements> current = ready;
        if (current == null || current.isCompletedExceptionally()) {
            current = session.thenCompose(this::prepare).toCompletableFuture();
            ready = current;
        }
        return current;
    }

    private CompletionStage<Statements> prepare(CqlSession cql) {
        CompletionStage<?> schema = CompletableFuture.completedFuture(null);
        if (createSchema) {
            schema = cql.executeAsync("CREATE KEYSPACE IF NOT EXISTS " + keyspace + " WITH replication = "
                            + "{'class': 'SimpleStrategy', 'replication_factor': " + replicationFactor + "}")
                    .thenCompose(r -> cql.executeAsync(SimpleStatement.newInstance("CREATE TABLE IF NOT EXISTS "
                            + keyspace + ".snapshot_heads (persistence_id text, sequence_nr bigint, timestamp bigint, "
                            + "ser_id int, ser_manifest text, pieces int, bytes bigint, "
                            + "PRIMARY KEY (persistence_id, sequence_nr)) "
                            + "WITH CLUSTERING ORDER BY (sequence_nr DESC)")))
                    .thenCompose(r -> cql.executeAsync("CREATE TABLE IF NOT EXISTS " + keyspace + ".snapshot_pieces ("
                            + "persistence_id text, sequence_nr bigint, piece int, data blob, "
                            + "PRIMARY KEY ((persistence_id, sequence_nr), piece))"));
        }
        String heads = keyspace + ".snapshot_heads";
        String pieces = keyspace + ".snapshot_pieces";
        // asynchronously: the driver refuses a blocking call on its own threads, where these continuations run
        List<String> queries = List.of(
                "INSERT INTO " + heads + " (persistence_id, sequence_nr, timestamp, ser_id, ser_manifest, pieces, bytes)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?)",
                "INSERT INTO " + pieces + " (persistence_id, sequence_nr, piece, data) VALUES (?, ?, ?, ?)",
                "SELECT sequence_nr, timestamp, ser_id, ser_manifest, pieces, bytes FROM " + heads
                        + " WHERE persistence_id = ? AND sequence_nr <= ? AND sequence_nr >= ?",
                "SELECT piece, data FROM " + pieces + " WHERE persistence_id = ? AND sequence_nr = ?",
                "DELETE FROM " + heads + " WHERE persistence_id = ? AND sequence_nr = ?",
                "DELETE FROM " + pieces + " WHERE persistence_id = ? AND sequence_nr = ?");
        return schema.thenCompose(done -> {
            List<CompletableFuture<PreparedStatement>> prepared = queries.stream()
                    .map(q -> cql.prepareAsync(q).toCompletableFuture()).toList();
            return CompletableFuture.allOf(prepared.toArray(CompletableFuture[]::new)).thenApply(all -> {
                List<PreparedStatement> p = prepared.stream().map(CompletableFuture::join).toList();
                return new Statements(cql, p.get(0), p.get(1), p.get(2), p.get(3), p.get(4), p.get(5));
            });
        });
    }

    // ---- save -----------------------------------------------------------------------------------------

    @Override
    public Future<Void> doSaveAsync(SnapshotMetadata metadata, Object snapshot) {
        CompletableFuture<Void> saved = ready().thenComposeAsync(s -> {
            Serializer serializer = serialization.findSerializerFor(snapshot);
            String manifest = Serializers.manifestFor(serializer, snapshot);
            byte[] bytes = serializer.toBinary(snapshot);
            int count = Math.max(1, (bytes.length + pieceBytes - 1) / pieceBytes);
            String id = metadata.persistenceId();
            long seq = metadata.sequenceNr();
            return s.session().executeAsync(s.insertHead().bind(id, seq, metadata.timestamp(), serializer.identifier(),
                            manifest, -1, (long) bytes.length))
                    .thenCompose(r -> savePieces(s, id, seq, bytes, 0, count))
                    .thenCompose(r -> s.session().executeAsync(s.insertHead().bind(id, seq, metadata.timestamp(),
                            serializer.identifier(), manifest, count, (long) bytes.length)))
                    .thenApply(r -> (Void) null);
        }, executor);
        return FutureConverters.asScala(saved);
    }

    /** Writes pieces {@code from} to {@code count - 1}, one after the other (each a mutation of its own). */
    private CompletionStage<Void> savePieces(Statements s, String id, long seq, byte[] bytes, int from, int count) {
        if (from >= count) {
            return CompletableFuture.completedFuture(null);
        }
        int offset = from * pieceBytes;
        int length = Math.min(pieceBytes, bytes.length - offset);
        return s.session().executeAsync(s.insertPiece().bind(id, seq, from, ByteBuffer.wrap(bytes, offset, length)))
                .thenCompose(r -> savePieces(s, id, seq, bytes, from + 1, count));
    }

    // ---- load -----------------------------------------------------------------------------------------

    @Override
    public Future<Optional<SelectedSnapshot>> doLoadAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
        CompletableFuture<Optional<SelectedSnapshot>> loaded = ready().thenCompose(s -> heads(s, persistenceId,
                criteria).thenCompose(candidates -> loadNewest(s, persistenceId, candidates, 0)));
        return FutureConverters.asScala(loaded);
    }

    /** The snapshots the criteria select (finished or not), newest first. */
    private CompletionStage<List<Head>> heads(Statements s, String id, SnapshotSelectionCriteria criteria) {
        List<Head> found = new ArrayList<>();
        return s.session().executeAsync(s.selectHeads().bind(id, criteria.maxSequenceNr(), criteria.minSequenceNr()))
                .thenCompose(page -> collectHeads(page, found, criteria));
    }

    private CompletionStage<List<Head>> collectHeads(AsyncResultSet page, List<Head> found,
                                                     SnapshotSelectionCriteria criteria) {
        for (Row row : page.currentPage()) {
            Head head = new Head(row.getLong("sequence_nr"), row.getLong("timestamp"), row.getInt("ser_id"),
                    row.getString("ser_manifest"), row.getInt("pieces"), row.getLong("bytes"));
            if (head.timestamp() <= criteria.maxTimestamp() && head.timestamp() >= criteria.minTimestamp()) {
                found.add(head);
            }
        }
        return page.hasMorePages() ? page.fetchNextPage().thenCompose(next -> collectHeads(next, found, criteria))
                : CompletableFuture.completedFuture(found);
    }

    /** The newest of {@code candidates} (from index {@code i}) that is whole and deserializes, if any. */
    private CompletionStage<Optional<SelectedSnapshot>> loadNewest(Statements s, String id, List<Head> candidates,
                                                                  int i) {
        if (i >= candidates.size()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        Head head = candidates.get(i);
        if (head.pieces() < 1) { // a save that has not finished (or died half-way)
            return loadNewest(s, id, candidates, i + 1);
        }
        byte[] bytes;
        try {
            bytes = new byte[Math.toIntExact(head.bytes())];
        } catch (ArithmeticException tooLarge) {
            return loadNewest(s, id, candidates, i + 1);
        }
        return s.session().executeAsync(s.selectPieces().bind(id, head.sequenceNr()).setPageSize(PIECES_PER_PAGE))
                .thenCompose(page -> readPieces(page, bytes, new int[] {0, 0}))
                .thenApplyAsync(filled -> {
                    if (!filled) {
                        return null;
                    }
                    try {
                        Object snapshot = serialization.deserialize(bytes, head.serializerId(), head.manifest()).get();
                        return new SelectedSnapshot(new SnapshotMetadata(id, head.sequenceNr(), head.timestamp()),
                                snapshot);
                    } catch (RuntimeException undecodable) {
                        context().system().log().warning("Snapshot {} of {} does not deserialize ({}); the older one "
                                + "is used", head.sequenceNr(), id, undecodable.toString());
                        return null;
                    }
                }, executor)
                .thenCompose(selected -> selected != null
                        ? CompletableFuture.completedFuture(Optional.of(selected))
                        : loadNewest(s, id, candidates, i + 1));
    }

    /**
     * Copies the pieces into {@code bytes}; true when they were exactly pieces 0, 1, ... filling it. {@code at}: the
     * next piece expected and the bytes filled so far.
     */
    private static CompletionStage<Boolean> readPieces(AsyncResultSet page, byte[] bytes, int[] at) {
        for (Row row : page.currentPage()) {
            ByteBuffer data = row.getByteBuffer("data");
            int length = data == null ? 0 : data.remaining();
            if (row.getInt("piece") != at[0] || at[1] + length > bytes.length) {
                return CompletableFuture.completedFuture(false);
            }
            data.get(bytes, at[1], length);
            at[0]++;
            at[1] += length;
        }
        if (page.hasMorePages()) {
            return page.fetchNextPage().thenCompose(next -> readPieces(next, bytes, at));
        }
        return CompletableFuture.completedFuture(at[1] == bytes.length);
    }

    // ---- delete ---------------------------------------------------------------------------------------

    @Override
    public Future<Void> doDeleteAsync(SnapshotMetadata metadata) {
        return FutureConverters.asScala(ready().thenCompose(s -> delete(s, metadata.persistenceId(),
                metadata.sequenceNr())));
    }

    @Override
    public Future<Void> doDeleteAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
        // every head the criteria select, finished or not: a half-done save's pieces go too
        CompletableFuture<Void> deleted = ready().thenCompose(s -> heads(s, persistenceId, criteria)
                .thenCompose(heads -> {
                    CompletableFuture<?>[] each = heads.stream()
                            .map(h -> delete(s, persistenceId, h.sequenceNr()).toCompletableFuture())
                            .toArray(CompletableFuture[]::new);
                    return CompletableFuture.allOf(each);
                }));
        return FutureConverters.asScala(deleted);
    }

    private static CompletionStage<Void> delete(Statements s, String id, long seq) {
        // pieces first: a head without its pieces is passed over, pieces without a head would never be found
        return s.session().executeAsync(s.deletePieces().bind(id, seq))
                .thenCompose(r -> s.session().executeAsync(s.deleteHead().bind(id, seq)))
                .thenApply(r -> (Void) null);
    }
}
