package dev.strand.persistence;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * {@link NodeLeases} in Cassandra, two tables in Strand's keyspace, every change a lightweight transaction (Paxos,
 * serial consistency SERIAL) and every read at SERIAL, so that each sees the outcome of every transaction before it:
 *
 * <pre>
 * node_leases    (node_id text PRIMARY KEY, generation uuid)                     -- written USING TTL
 * replica_owners (persistence_id text PRIMARY KEY, node_id text, generation uuid)
 * </pre>
 *
 * A renewal rewrites {@code generation} with a new TTL: the row lives as long as that cell. The statements are not
 * idempotent for the driver (a compare-and-set retried after it applied answers "not applied"): {@link #acquire}
 * and {@link NodeLeases#claim} count finding their own generation as success for that reason.
 */
public final class CassandraNodeLeases implements NodeLeases {

    private static final Duration SCHEMA_TIMEOUT = Duration.ofSeconds(30);

    private final CqlSession session;
    private final PreparedStatement acquire;
    private final PreparedStatement renew;
    private final PreparedStatement release;
    private final PreparedStatement releaseDead;
    private final PreparedStatement selectGeneration;
    private final PreparedStatement insertOwner;
    private final PreparedStatement replaceOwner;
    private final PreparedStatement releaseOwner;

    private CassandraNodeLeases(CqlSession session, String keyspace) {
        this.session = session;
        String leases = keyspace + ".node_leases";
        String owners = keyspace + ".replica_owners";
        acquire = session.prepare("INSERT INTO " + leases + " (node_id, generation) VALUES (?, ?) IF NOT EXISTS"
                + " USING TTL ?");
        renew = session.prepare("UPDATE " + leases + " USING TTL ? SET generation = ? WHERE node_id = ?"
                + " IF generation = ?");
        release = session.prepare("DELETE FROM " + leases + " WHERE node_id = ? IF generation = ?");
        releaseDead = session.prepare("DELETE FROM " + leases + " WHERE node_id = ? IF EXISTS");
        selectGeneration = session.prepare("SELECT generation FROM " + leases + " WHERE node_id = ?");
        insertOwner = session.prepare("INSERT INTO " + owners + " (persistence_id, node_id, generation)"
                + " VALUES (?, ?, ?) IF NOT EXISTS");
        replaceOwner = session.prepare("UPDATE " + owners + " SET node_id = ?, generation = ?"
                + " WHERE persistence_id = ? IF node_id = ? AND generation = ?");
        releaseOwner = session.prepare("DELETE FROM " + owners + " WHERE persistence_id = ?"
                + " IF node_id = ? AND generation = ?");
    }

    /** On the chunk store's session and keyspace (which it closes); creates the two tables if missing. Blocks. */
    public static CassandraNodeLeases create(CassandraChunkStore chunks) {
        CqlSession session = chunks.session();
        String keyspace = chunks.keyspace();
        ddl(session, "CREATE TABLE IF NOT EXISTS " + keyspace + ".node_leases (node_id text PRIMARY KEY, generation uuid)");
        ddl(session, "CREATE TABLE IF NOT EXISTS " + keyspace + ".replica_owners ("
                + "persistence_id text PRIMARY KEY, node_id text, generation uuid)");
        return new CassandraNodeLeases(session, keyspace);
    }

    private static void ddl(CqlSession session, String cql) {
        session.execute(SimpleStatement.newInstance(cql).setTimeout(SCHEMA_TIMEOUT));
    }

    /** Cassandra's TTL is whole seconds: rounded up, so the row never dies before the holder stops trusting it. */
    static int ttlSeconds(Duration ttl) {
        long seconds = (ttl.toMillis() + 999) / 1000;
        if (seconds < 1 || seconds > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("lease ttl out of range: " + ttl);
        }
        return (int) seconds;
    }

    @Override
    public CompletionStage<Boolean> acquire(String nodeId, UUID generation, Duration ttl) {
        Objects.requireNonNull(generation, "generation");
        return transaction(acquire.bind(nodeId, generation, ttlSeconds(ttl)))
                .thenApply(result -> result.wasApplied() || generation.equals(result.one().getUuid("generation")));
        // (IF NOT EXISTS that did not apply always answers with the existing row)
    }

    @Override
    public CompletionStage<Boolean> renew(String nodeId, UUID generation, Duration ttl) {
        return transaction(renew.bind(ttlSeconds(ttl), generation, nodeId, generation))
                .thenApply(AsyncResultSet::wasApplied);
    }

    @Override
    public CompletionStage<Boolean> release(String nodeId, UUID generation) {
        return transaction(release.bind(nodeId, generation)).thenApply(AsyncResultSet::wasApplied);
    }

    @Override
    public CompletionStage<Boolean> releaseDead(String nodeId) {
        return transaction(releaseDead.bind(nodeId)).thenApply(AsyncResultSet::wasApplied);
    }

    @Override
    public CompletionStage<Optional<UUID>> generation(String nodeId) {
        return session.executeAsync(selectGeneration.bind(nodeId).setConsistencyLevel(ConsistencyLevel.SERIAL))
                .thenApply(result -> Optional.ofNullable(result.one()).map(row -> row.getUuid(0)));
    }

    @Override
    public CompletionStage<Optional<Owner>> insertOwner(String persistenceId, Owner claimant) {
        return transaction(insertOwner.bind(persistenceId, claimant.nodeId(), claimant.generation()))
                .thenApply(result -> result.wasApplied() ? Optional.<Owner>empty()
                        : Optional.of(Objects.requireNonNull(owner(result.one()), "owner row without owner")));
    }

    @Override
    public CompletionStage<Boolean> replaceOwner(String persistenceId, Owner expected, Owner claimant) {
        return transaction(replaceOwner.bind(claimant.nodeId(), claimant.generation(), persistenceId,
                expected.nodeId(), expected.generation()))
                .thenApply(result -> result.wasApplied() || claimant.equals(owner(result.one())));
    }

    @Override
    public CompletionStage<Boolean> releaseOwner(String persistenceId, Owner owner) {
        return transaction(releaseOwner.bind(persistenceId, owner.nodeId(), owner.generation()))
                .thenApply(AsyncResultSet::wasApplied);
    }

    /** The row a compare-and-set that did not apply answers with; null if there is none (only "[applied]"). */
    private static Owner owner(Row row) {
        if (row == null || !row.getColumnDefinitions().contains("node_id") || row.getString("node_id") == null
                || row.getUuid("generation") == null) {
            return null;
        }
        return new Owner(row.getString("node_id"), row.getUuid("generation"));
    }

    private CompletionStage<AsyncResultSet> transaction(BoundStatement statement) {
        return session.executeAsync(statement.setIdempotent(false).setSerialConsistencyLevel(ConsistencyLevel.SERIAL));
    }
}
