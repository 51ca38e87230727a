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
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Consumer;

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

    /** A read that waited for a resolution long enough (internal message). */
    record ParkExpired(Read read) implements NoSerializationVerificationNeeded {}

    /** Most reads waiting for a resolution at once; more are refused (UNAVAILABLE). */
    static final int MAX_PARKED = 1000;

    private final ActorContext<Object> context;
    private final List<RecipientRef<Command>> replicas;
    private final StorageGroup group;
    private final String volumeName;
    private final Duration timeout;
    /** Whether a resolution is running: the current replicas may lack a diverged one's acknowledged writes. */
    private final BooleanSupplier resolving;
    /** Sees every answered read (the sampled checks of {@link ReadChecks}). */
    private final Consumer<Result> answeredReads;
    /** Reads that wait for a resolution to end (identity: each has its own expiry). */
    private final Set<Read> parked = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    ReadRouting(ActorContext<Object> context, List<RecipientRef<Command>> replicas, StorageGroup group,
                String volumeName, Duration timeout, BooleanSupplier resolving,
                Consumer<Result> answeredReads) {
        this.context = context;
        this.replicas = replicas;
        this.group = group;
        this.volumeName = volumeName;
        this.timeout = timeout;
        this.resolving = resolving;
        this.answeredReads = answeredReads;
    }

    /**
     * Asks the first answering replica not tried yet (then any not tried); UNAVAILABLE when none is left. While
     * replicas are diverged and none is current, or a resolution runs, the read waits (at most twice the replica timeout):
     * the replicas that could answer may lack an acknowledged write that only a diverged one holds.
     */
    void read(Read read) {
        boolean held = resolving.getAsBoolean() || !group.anyCurrent() && group.anyDiverged();
        if (held && parked.size() < MAX_PARKED) {
            if (parked.add(read)) {
                // a resolution of a quiet volume is a few round trips, each bounded by the replica timeout
                context.scheduleOnce(timeout.multipliedBy(2), context.getSelf(), new ParkExpired(read));
            }
            return;
        }
        int replica = group.readTarget(read.tried());
        if (replica < 0) {
            read.replyTo().tell(new Result.Rejected(Status.UNAVAILABLE, group.anyDiverged() ? "the replicas of "
                    + "volume '" + volumeName + "' diverged and are being resolved; nothing is served until then"
                    : "no replica of volume '" + volumeName + "' answered"));
            return;
        }
        read.tried().add(replica);
        context.ask(Result.class, replicas.get(replica), timeout, read.command()::apply,
                (result, failure) -> new ReadAnswered(read, replica, result, failure));
    }

    /** The group's state changed (a resolution ended, a replica is current): waiting reads go on. */
    void releaseParked() {
        if (parked.isEmpty()) {
            return;
        }
        List<Read> waiting = List.copyOf(parked);
        parked.clear();
        waiting.forEach(this::read);
    }

    /** A read waited long enough: refused, never served from a state that may lack a write. */
    void onParkExpired(ParkExpired expired) {
        if (parked.remove(expired.read())) {
            expired.read().replyTo().tell(new Result.Rejected(Status.UNAVAILABLE, "the replicas of volume '"
                    + volumeName + "' diverged and are being resolved; try again"));
        }
    }

    void onReadAnswered(ReadAnswered answered) {
        group.answered(answered.replica(), answered.result() != null);
        if (answered.result() != null) {
            answered.read().replyTo().tell(answered.result());
            answeredReads.accept(answered.result());
        } else {
            read(answered.read());
        }
    }
}
