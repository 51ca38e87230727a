package dev.strand.actors.coordinator;

import dev.strand.volume.FrameBudget;
import dev.strand.actors.registry.VolumeRegistry;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.actors.volume.ReplicaSummary;
import dev.strand.actors.volume.ReplicaVersion;
import dev.strand.actors.volume.VolumeReplica.Result;
import dev.strand.persistence.ChunkStore;
import dev.strand.protocol.Status;
import dev.strand.protocol.message.Fid;
import dev.strand.replication.ReplicaState;
import dev.strand.replication.StorageGroup;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.IntPredicate;
import java.util.function.Consumer;

/**
 * The coordinator's requests that ask every replica and combine the answers: volume info ({@code GetStats}),
 * VALIDATE, and the blob sweep across the storage group (with more than one replica no replica deletes blobs;
 * the sweep asks every replica for its blob references page by page ({@code ListBlobReferencesPage}) and deletes
 * the registered blobs none references that have been idle for {@code strand.volume.idle-blob-age}, at most a
 * page of them per sweep; if a replica does not answer, that sweep is skipped).
 */
final class GroupQueries {

    private final ActorContext<Object> context;
    private final GroupAsks asks;
    private final StorageGroup group;
    private final VolumeRegistry.VolumeRecord volume;
    private final ChunkStore chunks;
    private final Duration idleBlobAge;
    /** Whether a catch-up of replica i is under way (for the state volume info shows). */
    private final IntPredicate catchingUp;
    /** How large the messages to other nodes may be. */
    private final FrameBudget frames;
    private boolean sweeping;
    /**
     * A VALIDATE (or a read's check) found current replicas that disagree: the coordinator looks at the group
     * ({@link Detection}); it is told who found it.
     */
    private Consumer<String> onDisagreement = who -> {};

    GroupQueries(ActorContext<Object> context, GroupAsks asks, StorageGroup group, VolumeRegistry.VolumeRecord volume,
                 ChunkStore chunks, Duration idleBlobAge, IntPredicate catchingUp, FrameBudget frames) {
        this.context = context;
        this.asks = asks;
        this.group = group;
        this.volume = volume;
        this.chunks = chunks;
        this.idleBlobAge = idleBlobAge;
        this.catchingUp = catchingUp;
        this.frames = frames;
    }

    void onDisagreement(Consumer<String> then) {
        onDisagreement = then;
    }

    /** Every replica's summary with the state the coordinator gives it (from GetStats answers, null: none). */
    List<ReplicaSummary> summaries(List<Result> answers) {
        List<ReplicaSummary> summaries = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            summaries.add(answers.get(i) instanceof Result.Stats stats
                    ? stats.self().withState(group.describe(i, catchingUp.test(i)))
                    : new ReplicaSummary(i, volume.replicaEntityIds().get(i), null, false, null, -1,
                            ReplicaState.UNAVAILABLE.label(), -1, -1));
        }
        return summaries;
    }

    private Result.Rejected noneAnswered() {
        return new Result.Rejected(Status.UNAVAILABLE, "no replica of volume '" + volume.name() + "' answered");
    }

    /** Volume info: the usage figures of a current replica, and every replica's summary and state. */
    void stats(VolumeReplica.GetStats command) {
        asks.gather(VolumeReplica.GetStats::new, answers -> {
            asks.noteAnswers(answers);
            Result.Stats base = null;
            int baseIndex = -1;
            List<ReplicaSummary> summaries = new ArrayList<>();
            for (int i = 0; i < answers.size(); i++) {
                if (answers.get(i) instanceof Result.Stats stats) {
                    // the usage figures of a current replica (one that is behind shows an older volume)
                    if (base == null || (group.isBehind(baseIndex) && !group.isBehind(i))) {
                        base = stats;
                        baseIndex = i;
                    }
                    summaries.add(stats.self().withState(group.describe(i, catchingUp.test(i))));
                } else {
                    summaries.add(new ReplicaSummary(i, volume.replicaEntityIds().get(i), null, false, null, -1,
                            ReplicaState.UNAVAILABLE.label(), -1, -1));
                }
            }
            if (base == null) {
                Result rejected = answers.stream().filter(Objects::nonNull).findFirst().orElse(null);
                command.replyTo().tell(rejected != null ? rejected : noneAnswered());
                return;
            }
            command.replyTo().tell(new Result.Stats(base.volumeId(), base.volumeName(), base.createdMillis(),
                    base.files(), base.directories(), base.symlinks(), base.bytes(), base.versionVector(),
                    base.self(), List.copyOf(summaries)));
        }, true);
    }

    /**
     * Every replica's version of the object. They agree when every replica that answered has it with the
     * same version vector and data version. If no replica has it, the first refusal (e.g. STALE) is the answer.
     */
    void validate(VolumeReplica.Validate command) {
        validate(command.fid(), "a VALIDATE", command.replyTo()::tell);
    }

    /** As {@link #validate(VolumeReplica.Validate)}, for {@code who} (named if the replicas disagree). */
    void validate(Fid fid, String who, Consumer<Result> reply) {
        asks.gather(r -> new VolumeReplica.Validate(fid, r), answers -> {
            asks.noteAnswers(answers);
            List<ReplicaVersion> versions = new ArrayList<>();
            Result.Rejected firstRejection = null;
            int withVersion = 0;
            for (int i = 0; i < answers.size(); i++) {
                Result answer = answers.get(i);
                if (answer instanceof Result.Validation validation && !validation.replicas().isEmpty()) {
                    ReplicaVersion v = validation.replicas().get(0);
                    versions.add(new ReplicaVersion(i, v.node(), true, v.versionVector(), v.dataVersion(), null));
                    withVersion++;
                } else if (answer instanceof Result.Rejected rejected) {
                    firstRejection = firstRejection == null ? rejected : firstRejection;
                    versions.add(new ReplicaVersion(i, null, true, null, 0, rejected.status() + ": " + rejected.message()));
                } else {
                    versions.add(new ReplicaVersion(i, null, false, null, 0, "did not answer"));
                }
            }
            if (withVersion == 0) {
                reply.accept(firstRejection != null ? firstRejection : noneAnswered());
                return;
            }
            boolean agree = agree(versions);
            reply.accept(new Result.Validation(List.copyOf(versions), agree));
            // current replicas with unequal versions: is one behind after all, or have they diverged? (a replica
            // already behind differs as a matter of course: catching up looks after it)
            List<ReplicaVersion> current = versions.stream()
                    .filter(v -> v.versionVector() != null && !group.isBehind(v.index())).toList();
            if (!agree && current.size() > 1 && !agree(current)) {
                onDisagreement.accept(who);
            }
        }, true);
    }

    /** True when every replica that answered has the object, all with the same version. */
    static boolean agree(List<ReplicaVersion> versions) {
        ReplicaVersion reference = null;
        for (ReplicaVersion v : versions) {
            if (!v.available()) {
                continue;
            }
            if (v.versionVector() == null) {
                return false;
            }
            if (reference == null) {
                reference = v;
            } else if (!reference.versionVector().equals(v.versionVector())
                    || reference.dataVersion() != v.dataVersion()) {
                return false;
            }
        }
        return reference != null;
    }

    // ---- blob sweep across the storage group -------------------------------------------------------------

    boolean sweeping() {
        return sweeping;
    }

    /** Starts a sweep; {@code replyTo} (may be null: the periodic sweep) hears how it went. */
    void startSweep(ActorRef<Result> replyTo) {
        sweeping = true;
        List<CompletableFuture<Set<UUID>>> lists = new ArrayList<>();
        for (int i = 0; i < group.size(); i++) {
            lists.add(blobReferences(i, 0, new HashSet<>()).toCompletableFuture().exceptionally(failure -> null));
        }
        context.pipeToSelf(CompletableFuture.allOf(lists.toArray(CompletableFuture[]::new)),
                (ok, failure) -> new VolumeCoordinator.ReferencesListed(
                        lists.stream().map(l -> l.getNow(null)).toList(), replyTo));
    }

    /** The blobs one replica references, from vnode {@code after} on, page by page; fails if a page does not come. */
    private CompletionStage<Set<UUID>> blobReferences(int replica, long after, Set<UUID> soFar) {
        return asks.ask(replica, r -> new VolumeReplica.ListBlobReferencesPage(after, r)).thenCompose(answer -> {
            if (!(answer instanceof Result.BlobReferencesPage page)) {
                throw new IllegalStateException("answered " + answer);
            }
            soFar.addAll(page.blobIds()); // one page at a time: no other thread touches the set meanwhile
            return page.last() ? CompletableFuture.completedFuture(soFar)
                    : blobReferences(replica, page.lastVnode(), soFar);
        });
    }

    void onReferencesListed(VolumeCoordinator.ReferencesListed listedReferences) {
        ActorRef<Result> replyTo = listedReferences.replyTo();
        long volumeId = volume.id();
        Set<UUID> referenced = new HashSet<>();
        for (int i = 0; i < listedReferences.perReplica().size(); i++) {
            Set<UUID> refs = listedReferences.perReplica().get(i);
            if (refs == null) {
                sweeping = false;
                String why = "replica " + i + " of volume " + volumeId + " did not list its blobs; sweep skipped";
                context.getLog().info(why);
                if (replyTo != null) {
                    replyTo.tell(new Result.Rejected(Status.UNAVAILABLE, why));
                }
                return;
            }
            referenced.addAll(refs);
        }
        CompletableFuture<List<ChunkStore.BlobRecord>> listed;
        try {
            listed = chunks.listBlobs(volumeId).toCompletableFuture();
        } catch (RuntimeException e) {
            listed = CompletableFuture.failedFuture(e);
        }
        context.pipeToSelf(listed, (blobs, failure) ->
                new VolumeCoordinator.BlobsListed(blobs, referenced, failure, replyTo));
    }

    void onBlobsListed(VolumeCoordinator.BlobsListed listed) {
        if (listed.failure() != null) {
            onSweepFinished(new VolumeCoordinator.SweepFinished(List.of(), listed.failure(), listed.replyTo()));
            return;
        }
        long idleSince = System.currentTimeMillis() - idleBlobAge.toMillis();
        List<UUID> garbage = listed.blobs().stream()
                .filter(b -> !listed.referenced().contains(b.blobId()) && b.touchedMillis() < idleSince)
                .map(ChunkStore.BlobRecord::blobId)
                .limit(frames.uuidsPerPage()) // a page per sweep: the answer fits one message, the rest goes next time
                .toList();
        CompletableFuture<?>[] deletions = garbage.stream().map(blobId -> {
            try {
                return chunks.deleteBlob(volume.id(), blobId).toCompletableFuture();
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }).toArray(CompletableFuture[]::new);
        context.pipeToSelf(CompletableFuture.allOf(deletions),
                (ok, failure) -> new VolumeCoordinator.SweepFinished(garbage, failure, listed.replyTo()));
    }

    void onSweepFinished(VolumeCoordinator.SweepFinished finished) {
        sweeping = false;
        long volumeId = volume.id();
        if (finished.failure() != null) {
            context.getLog().warn("Blob sweep of volume {} failed: {}", volumeId, finished.failure().toString());
            if (finished.replyTo() != null) {
                finished.replyTo().tell(new Result.Rejected(Status.IO_ERROR, "blob sweep of volume " + volumeId
                        + " failed: " + finished.failure().getMessage()));
            }
        } else {
            if (!finished.deleted().isEmpty()) {
                context.getLog().info("Blob sweep of volume {} deleted {} unreferenced blobs", volumeId,
                        finished.deleted().size());
            }
            if (finished.replyTo() != null) {
                finished.replyTo().tell(new Result.Swept(finished.deleted()));
            }
        }
    }
}
