package dev.strand.actors.coordinator;

import dev.strand.actors.volume.VolumeReplica.Command;
import dev.strand.actors.volume.VolumeReplica.Result;
import dev.strand.protocol.Status;
import dev.strand.replication.StorageGroup;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The coordinator's reads ({@code Execute} of a read, {@code PrepareStore}, {@code OpenForFetch}): each goes to
 * one available replica, the next one if it does not answer.
 */
final class ReadRouting {

    /** A read, re-addressable to any replica. {@code tried}: the replicas asked so far. */
    record Read(Function<ActorRef<Result>, Command> command, ActorRef<Result> replyTo, Set<Integer> tried) {
        Read(Function<ActorRef<Result>, Command> command, ActorRef<Result> replyTo) {
            this(command, replyTo, new HashSet<>());
        }
    }

    /** A replica's answer to a read, or its failure (internal message, never sent between nodes). */
    record ReadAnswered(Read read, int replica, Result result, Throwable failure)
            implements NoSerializationVerificationNeeded {}

    private final ActorContext<Object> context;
    private final List<RecipientRef<Command>> replicas;
    private final StorageGroup group;
    private final String volumeName;
    private final Duration timeout;

    ReadRouting(ActorContext<Object> context, List<RecipientRef<Command>> replicas, StorageGroup group,
                String volumeName, Duration timeout) {
        this.context = context;
        this.replicas = replicas;
        this.group = group;
        this.volumeName = volumeName;
        this.timeout = timeout;
    }

    /** Asks the first answering replica not tried yet (then any not tried); UNAVAILABLE when none is left. */
    void read(Read read) {
        int replica = group.readTarget(read.tried());
        if (replica < 0) {
            read.replyTo().tell(new Result.Rejected(Status.UNAVAILABLE, "no replica of volume '" + volumeName
                    + "' answered"));
            return;
        }
        read.tried().add(replica);
        context.ask(Result.class, replicas.get(replica), timeout, read.command()::apply,
                (result, failure) -> new ReadAnswered(read, replica, result, failure));
    }

    void onReadAnswered(ReadAnswered answered) {
        group.answered(answered.replica(), answered.result() != null);
        if (answered.result() != null) {
            answered.read().replyTo().tell(answered.result());
        } else {
            read(answered.read());
        }
    }
}
