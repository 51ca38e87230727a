package dev.strand.it.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.strand.it.support.SharedCassandra;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.junit.jupiter.api.Test;

/** strand-persistence.conf, as shipped, makes event-sourced actors durable in Cassandra. */
class PekkoPersistenceConfigIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** Appends letters; state and events are Strings so Pekko's built-in serializer suffices. */
    static final class Letters extends EventSourcedBehavior<Letters.Command, String, String> {

        sealed interface Command {}

        record Append(String letter, ActorRef<Done> replyTo) implements Command {}

        record Get(ActorRef<String> replyTo) implements Command {}

        Letters(PersistenceId id) {
            super(id);
        }

        static Behavior<Command> create(PersistenceId id) {
            return Behaviors.setup(context -> new Letters(id));
        }

        @Override
        public String emptyState() {
            return "";
        }

        @Override
        public CommandHandler<Command, String, String> commandHandler() {
            return newCommandHandlerBuilder().forAnyState()
                    .onCommand(Append.class, (state, append) ->
                            Effect().persist(append.letter()).thenReply(append.replyTo(), s -> Done.getInstance()))
                    .onCommand(Get.class, (state, get) -> Effect().reply(get.replyTo(), state))
                    .build();
        }

        @Override
        public EventHandler<String, String> eventHandler() {
            return newEventHandlerBuilder().forAnyState().onAnyEvent((state, letter) -> state + letter);
        }

        @Override
        public RetentionCriteria retentionCriteria() {
            // Exercise the snapshot store as well.
            return RetentionCriteria.snapshotEvery(2, 2);
        }
    }

    private static Config config(String journalKeyspace, String snapshotKeyspace) {
        return ConfigFactory.parseString("include \"strand-persistence.conf\"\n"
                        + SharedCassandra.persistenceConfig()
                        + "pekko.persistence.cassandra.journal.keyspace = " + journalKeyspace + "\n"
                        + "pekko.persistence.cassandra.snapshot.keyspace = " + snapshotKeyspace + "\n"
                        + "pekko.loglevel = WARNING\n")
                .withFallback(ConfigFactory.load())
                .resolve();
    }

    private static <T> T ask(ActorSystem<Letters.Command> system,
            org.apache.pekko.japi.function.Function<ActorRef<T>, Letters.Command> message) {
        try {
            // bounded here too: an actor system whose guardian failed stops its scheduler, and the ask never times out
            return AskPattern.ask(system, message, TIMEOUT, system.scheduler()).toCompletableFuture()
                    .get(TIMEOUT.toSeconds() + 5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("no answer from " + system.name(), e);
        }
    }

    @Test
    void eventsAndSnapshotsSurviveARestartOfTheActorSystem() {
        Config config = config(SharedCassandra.uniqueKeyspace("journal_it"),
                SharedCassandra.uniqueKeyspace("snapshot_it"));
        PersistenceId id = PersistenceId.ofUniqueId("letters-" + UUID.randomUUID());

        ActorSystem<Letters.Command> first = ActorSystem.create(Letters.create(id), "first", config);
        try {
            for (String letter : new String[] {"a", "b", "c"}) {
                Done done = ask(first, replyTo -> new Letters.Append(letter, replyTo));
                assertThat(done).isEqualTo(Done.getInstance());
            }
        } finally {
            first.terminate();
            first.getWhenTerminated().toCompletableFuture().join();
        }

        ActorSystem<Letters.Command> second = ActorSystem.create(Letters.create(id), "second", config);
        try {
            String recovered = ask(second, Letters.Get::new);

            assertThat(recovered).isEqualTo("abc");
        } finally {
            second.terminate();
            second.getWhenTerminated().toCompletableFuture().join();
        }
    }

    @Test
    void aStateLargerThanOneCassandraMutationIsSnapshottedInPiecesAndRecovered() {
        String snapshots = SharedCassandra.uniqueKeyspace("snapshot_big");
        Config config = config(SharedCassandra.uniqueKeyspace("journal_big"), snapshots);
        PersistenceId id = PersistenceId.ofUniqueId("big-" + UUID.randomUUID());
        // ten events of 4 MiB: the snapshots after events 8 and 10 (32 and 40 MiB) exceed what one Cassandra mutation
        // may hold (half a 64 MiB commit-log segment)
        String letter = "x".repeat(4 << 20);
        ActorSystem<Letters.Command> first = ActorSystem.create(Letters.create(id), "first", config);
        try {
            for (int i = 0; i < 10; i++) {
                Done done = ask(first, replyTo -> new Letters.Append(letter, replyTo));
                assertThat(done).isEqualTo(Done.getInstance());
            }
        } finally {
            first.terminate();
            first.getWhenTerminated().toCompletableFuture().join();
        }

        try (CqlSession cql = CqlSession.builder()
                .addContactPoint(new InetSocketAddress(SharedCassandra.host(), SharedCassandra.port()))
                .withLocalDatacenter("datacenter1").build()) {
            org.awaitility.Awaitility.await("the snapshot after event 10, whole").atMost(TIMEOUT).until(() -> {
                Row head = cql.execute("SELECT pieces, bytes FROM " + snapshots + ".snapshot_heads WHERE persistence_id"
                        + " = ? AND sequence_nr = 10", id.id()).one();
                return head != null && head.getInt("pieces") == 40 && head.getLong("bytes") >= 40L << 20;
            });
            // two kept (snapshotEvery(2, 2)): the older ones deleted with their pieces
            org.awaitility.Awaitility.await("the snapshots before event 8 deleted").atMost(TIMEOUT).until(() ->
                    cql.execute("SELECT sequence_nr FROM " + snapshots + ".snapshot_heads WHERE persistence_id = ?",
                            id.id()).all().stream().map(r -> r.getLong("sequence_nr")).toList().equals(List.of(10L, 8L)));
            assertThat(cql.execute("SELECT piece FROM " + snapshots + ".snapshot_pieces WHERE persistence_id = ? AND "
                    + "sequence_nr = 6", id.id()).all()).isEmpty();
        }
        ActorSystem<Letters.Command> second = ActorSystem.create(Letters.create(id), "second", config);
        try {
            String recovered = ask(second, Letters.Get::new);

            assertThat(recovered.length()).isEqualTo(10 * letter.length());
        } finally {
            second.terminate();
            second.getWhenTerminated().toCompletableFuture().join();
        }
    }
}
