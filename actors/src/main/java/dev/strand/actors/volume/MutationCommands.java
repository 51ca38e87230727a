package dev.strand.actors.volume;

import dev.strand.volume.Mutation;
import dev.strand.volume.Origin;
import dev.strand.volume.Outcome;
import dev.strand.volume.PutMutation;
import dev.strand.volume.RecentRequests;
import dev.strand.volume.RequestDigest;
import dev.strand.volume.StoreMutation;
import dev.strand.volume.VnodeVersion;
import dev.strand.volume.Volume;
import dev.strand.volume.VolumeEvent;
import dev.strand.volume.VolumeReads;
import dev.strand.actors.volume.VolumeReplica.CommitStore;
import dev.strand.actors.volume.VolumeReplica.Cop2;
import dev.strand.actors.volume.VolumeReplica.Execute;
import dev.strand.actors.volume.VolumeReplica.Initialize;
import dev.strand.actors.volume.VolumeReplica.Result;
import dev.strand.protocol.Names;
import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;
import dev.strand.protocol.error.BadRequestException;
import dev.strand.protocol.error.InvalidArgumentException;
import dev.strand.protocol.message.Reply;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.typed.javadsl.Effect;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import static dev.strand.actors.volume.ReplicaScope.reply;

/**
 * A replica's commands that change the volume: its creation, the requests of {@link VolumeReplica.Execute}
 * (reads answered from state, mutations through the pipeline), stores, and the replication around them
 * (COP1's pending operations, COP2 update sets, their expiry). Every change is an event; {@link Volume#apply}
 * makes it.
 */
final class MutationCommands {

    /** Time to look for pending operations whose COP2 did not come (see VolumeReplica.Internal). */
    record ExpireCop2Tick() implements VolumeReplica.Internal {}

    private static final int MAX_EXPIRED_PER_EVENT = 1000;

    private final ReplicaScope scope;
    private final BlobGarbage garbage;

    MutationCommands(ReplicaScope scope, BlobGarbage garbage) {
        this.scope = scope;
        this.garbage = garbage;
    }

    Effect<VolumeEvent, Volume> onInitialize(Volume volume, Initialize command) {
        try {
            requireThisVolume(command.volumeId());
            Names.checkVolumeName(command.volumeName());
        } catch (StrandException e) {
            return scope.reject(command.replyTo(), e);
        }
        int replicas = Math.max(1, command.replicas());
        if (scope.replicaIndex >= replicas) {
            return scope.reject(command.replyTo(), new InvalidArgumentException("replica " + scope.entityId
                    + " is not in a storage group of " + replicas));
        }
        VolumeEvent.VolumeInitialized event = new VolumeEvent.VolumeInitialized(command.volumeId(),
                command.volumeName(), command.createdMillis(), scope.replicaIndex, replicas,
                VolumeReplica.UNAUTHENTICATED_PRINCIPAL, VnodeVersion.initial(replicas));
        return scope.effects.persist(event)
                .thenRun(after -> command.replyTo().tell(new Result.Done(after.info(replicas))));
    }

    Effect<VolumeEvent, Volume> onInitializeAgain(Volume volume, Initialize command) {
        if (command.volumeId() != volume.volumeId() || !Objects.equals(command.volumeName(), volume.volumeName())) {
            return scope.reject(command.replyTo(), Status.VOLUME_EXISTS.exception("replica " + scope.entityId
                    + " already holds volume '" + volume.volumeName() + "' (id " + volume.volumeId() + ")"));
        }
        command.replyTo().tell(new Result.Done(volume.info(volume.replicas())));
        return scope.effects.none();
    }

    Effect<VolumeEvent, Volume> onExecute(Volume volume, Execute command) {
        try {
            if (command.request() == null) {
                throw new BadRequestException("execute without a request");
            }
            Reply read = VolumeReads.answer(volume, command.request(), scope.frames.pageBytes());
            if (read != null) {
                command.replyTo().tell(new Result.Done(read));
                return scope.effects.none();
            }
            Mutation mutation = Mutation.of(command.request(), origin(command.clientId(), command.requestId(),
                    command.cop1(), RequestDigest.of(command.request())));
            if (mutation == null) {
                throw new BadRequestException("a volume replica does not handle "
                        + command.request().getClass().getSimpleName());
            }
            if (command.cop1() != null) {
                mutation.underOperation(command.cop1().opId()); // one fid on every replica that applies it
            }
            return onceOnly(volume, mutation, command.cop1(), command.replyTo());
        } catch (StrandException e) {
            return scope.reject(command.replyTo(), e);
        } catch (RuntimeException e) {
            return scope.internalError(command.replyTo(), command.request(), e);
        }
    }

    Effect<VolumeEvent, Volume> onCommitStore(Volume volume, CommitStore command) {
        try {
            requireLiveBlob(command.blobId());
            Origin origin = origin(command.clientId(), command.requestId(), command.cop1(),
                    RequestDigest.ofStore(command.fid(), command.length()));
            return onceOnly(volume, new StoreMutation(origin, command.fid(), command.blobId(), command.length()),
                    command.cop1(), command.replyTo());
        } catch (StrandException e) {
            return scope.reject(command.replyTo(), e);
        } catch (RuntimeException e) {
            return scope.internalError(command.replyTo(), command, e);
        }
    }

    /** A commit may not reference a blob whose delayed deletion has started: its chunks are going. */
    private void requireLiveBlob(java.util.UUID blobId) {
        if (garbage.isBeingDeleted(blobId)) {
            throw new InvalidArgumentException("blob " + blobId + " was freed and is being deleted");
        }
    }

    Effect<VolumeEvent, Volume> onCommitPut(Volume volume, VolumeReplica.CommitPut command) {
        try {
            requireLiveBlob(command.blobId());
            Origin origin = origin(command.clientId(), command.requestId(), command.cop1(), command.requestDigest());
            Mutation put = new PutMutation(origin, command.dir(), command.name(), command.mode(), command.blobId(),
                    command.length());
            if (command.cop1() != null) {
                put.underOperation(command.cop1().opId()); // one fid on every replica that applies it
            }
            return onceOnly(volume, put, command.cop1(), command.replyTo());
        } catch (StrandException e) {
            return scope.reject(command.replyTo(), e);
        } catch (RuntimeException e) {
            return scope.internalError(command.replyTo(), command, e);
        }
    }

    /**
     * RETRIES: a mutation this replica already applied for (clientId, requestId) gets that answer again
     * instead of running twice, or REQUEST_ID_REUSED if the pair was applied for another request (see
     * {@link RecentRequests}); otherwise it runs. Update sets piggybacked on a retried COP1 still apply.
     */
    private Effect<VolumeEvent, Volume> onceOnly(Volume volume, Mutation mutation, Cop1 cop1,
                                                 ActorRef<Result> replyTo) {
        Origin origin = mutation.origin();
        RecentRequests.Answer again = volume.recentRequests().answerAgain(volume, origin.clientId(),
                origin.requestId(), origin.requestDigest(), System.currentTimeMillis());
        if (again == null) {
            return run(volume, mutation, cop1, replyTo);
        }
        replyTo.tell(again instanceof RecentRequests.Answer.Refused refused
                ? new Result.Rejected(refused.status(), refused.message())
                : new Result.Done(((RecentRequests.Answer.Again) again).reply()));
        List<VolumeEvent> cop2Events = cop2Events(volume, cop1);
        return cop2Events.isEmpty() ? scope.effects.none() : scope.effects.persist(cop2Events);
    }

    /** COP2 update sets that came piggybacked on a COP1 message, as the events that apply them here. */
    private List<VolumeEvent> cop2Events(Volume volume, Cop1 cop1) {
        List<VolumeEvent> cop2Events = new ArrayList<>();
        if (cop1 != null) {
            for (Cop2Update update : cop1.cop2()) {
                VolumeEvent.Cop2Applied applied = cop2Event(volume, update);
                if (applied != null) {
                    cop2Events.add(applied);
                }
            }
        }
        return cop2Events;
    }

    /**
     * The pipeline's outcome: one event persisted before the reply, or a reply alone. Under COP1 the
     * operation is also recorded as pending COP2, and the update sets piggybacked on it are applied, all
     * in one atomic write after the mutation's event (COP2 bumps commute with the mutation's own bump, so
     * the order does not change the resulting versions).
     */
    private Effect<VolumeEvent, Volume> run(Volume volume, Mutation mutation, Cop1 cop1, ActorRef<Result> replyTo) {
        List<VolumeEvent> cop2Events = cop2Events(volume, cop1);
        if (cop1 != null && volume.pendingCop2().pending(cop1.opId()) != null) { // never applied under a used id
            replyTo.tell(new Result.Rejected(Status.INTERNAL, "operation id " + cop1.opId()
                    + " is already pending on replica " + scope.entityId + "; not applied"));
            return cop2Events.isEmpty() ? scope.effects.none() : scope.effects.persist(cop2Events);
        }
        Outcome outcome;
        try {
            outcome = mutation.plan(volume);
        } catch (StrandException e) { // refused here (not remembered: it changed nothing); its update sets count
            replyTo.tell(new Result.Rejected(e.status(), e.getMessage()));
            return cop2Events.isEmpty() ? scope.effects.none() : scope.effects.persist(cop2Events);
        }
        if (outcome instanceof Outcome.Unchanged unchanged) {
            replyTo.tell(new Result.Done(unchanged.reply()));
            return cop2Events.isEmpty() ? scope.effects.none() : scope.effects.persist(cop2Events);
        }
        VolumeEvent event = ((Outcome.Commit) outcome).event();
        List<VolumeEvent> events = new ArrayList<>();
        events.add(event);
        if (cop1 != null && volume.replicas() > 1) {
            events.add(new VolumeEvent.OperationRecorded(cop1.opId(), Volume.touchedVnodes(event),
                    System.currentTimeMillis()));
        }
        events.addAll(cop2Events);
        long persistStarted = scope.metrics.persistStarted();
        return (events.size() == 1 ? scope.effects.persist(event) : scope.effects.persist(events)).thenRun(after -> {
            scope.metrics.persisted(persistStarted);
            scope.metrics.pendingCop2(scope.entityId, after.pendingCop2().size());
            replyTo.tell(new Result.Done(mutation.reply(after), true));
            if (after.replicas() == 1) {
                garbage.scheduleDeletion(event.freedBlob());
            }
        });
    }

    /** The COP2 event for one update set, or null if the operation is not pending here (never was, or expired). */
    private VolumeEvent.Cop2Applied cop2Event(Volume volume, Cop2Update update) {
        var entry = volume.pendingCop2().pending(update.opId());
        if (entry == null || !update.updateSet().contains(scope.replicaIndex)) {
            return null;
        }
        List<Integer> others = update.updateSet().stream()
                .filter(slot -> slot != scope.replicaIndex && slot >= 0 && slot < volume.replicas())
                .distinct().toList();
        return new VolumeEvent.Cop2Applied(update.opId(), others, entry.vnodes());
    }

    Effect<VolumeEvent, Volume> onCop2(Volume volume, Cop2 command) {
        List<VolumeEvent> events = new ArrayList<>();
        for (Cop2Update update : command.updates()) {
            VolumeEvent.Cop2Applied applied = cop2Event(volume, update);
            if (applied != null && events.stream().noneMatch(e -> ((VolumeEvent.Cop2Applied) e).opId() == update.opId())) {
                events.add(applied);
            }
        }
        int applied = events.size();
        if (events.isEmpty()) {
            reply(command.replyTo(), new Result.Cop2Done(0));
            return scope.effects.none();
        }
        return scope.effects.persist(events).thenRun(after -> reply(command.replyTo(), new Result.Cop2Done(applied)));
    }

    /**
     * Drops operations that waited longer than the expiry for their update set ({@link VolumeEvent.Cop2Expired}):
     * the objects they touched stay unequal until resolution.
     */
    Effect<VolumeEvent, Volume> onExpireCop2(Volume volume, ExpireCop2Tick tick) {
        long cutoff = System.currentTimeMillis() - scope.settings.cop2Expiry().toMillis();
        List<Long> expired = volume.pendingCop2().entries().stream()
                .filter(e -> e.recordedMillis() < cutoff).map(dev.strand.cop2.PendingCop2.Entry::opId)
                .limit(MAX_EXPIRED_PER_EVENT).toList(); // the rest at the next check: an event stays small
        scope.metrics.pendingCop2(scope.entityId, volume.pendingCop2().size());
        if (expired.isEmpty()) {
            return scope.effects.none();
        }
        scope.context.getLog().info("Replica {}: {} operations expired without their COP2 (first op {})",
                scope.entityId, expired.size(), expired.get(0));
        return scope.effects.persist(new VolumeEvent.Cop2Expired(expired));
    }

    /** How often to look for expired operations: a tenth of the expiry, within [100 ms, 1 min]. */
    Duration cop2ExpiryCheckInterval() {
        Duration tenth = scope.settings.cop2Expiry().dividedBy(10);
        return tenth.compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100)
                : tenth.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1) : tenth;
    }

    /** Under COP1 the coordinator's time, so that every replica stamps the same times. */
    private Origin origin(String clientId, long requestId, Cop1 cop1, String requestDigest) {
        long time = cop1 != null && cop1.timeMillis() > 0 ? cop1.timeMillis() : System.currentTimeMillis();
        return new Origin(clientId, requestId, VolumeReplica.UNAUTHENTICATED_PRINCIPAL, time, requestDigest);
    }

    private void requireThisVolume(long requestedVolumeId) {
        if (requestedVolumeId != scope.volumeId) {
            throw new InvalidArgumentException("replica " + scope.entityId + " cannot hold volume " + requestedVolumeId);
        }
    }
}
