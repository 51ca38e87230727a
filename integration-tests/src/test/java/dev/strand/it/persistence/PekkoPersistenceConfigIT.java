package dev.strand.it.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.strand.it.support.SharedCassandra;
import java.time.Duration;
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
        return AskPattern.ask(system, message, TIMEOUT, system.scheduler()).toCompletableFuture().join();
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
}
