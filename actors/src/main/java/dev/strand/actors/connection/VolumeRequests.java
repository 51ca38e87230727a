package dev.strand.actors.connection;

import dev.strand.actors.volume.ObjectVersion;
import dev.strand.actors.volume.ConflictEntry;
import dev.strand.actors.registry.VolumeRegistry;
import dev.strand.volume.VolumeReads;
import dev.strand.actors.volume.ReplicaSummary;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.protocol.Opcode;
import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.error.BadRequestException;
import dev.strand.protocol.message.*;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.pattern.AskTimeoutException;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * How a connection asks the actors behind it: the volume registry for volume requests, and the volume replicas
 * for namespace requests and for the steps of STORE and FETCH; their answers become protocol replies, their
 * refusals and timeouts {@link StrandException}s. It exists so that {@link ConnectionActor} reads as the
 * protocol, not as the routing. It holds no state of its own; its methods are called on the connection's
 * thread, and the stages they return complete on others (nothing here touches the actor's state).
 */
final class VolumeRequests {

    static final Duration ASK_TIMEOUT = Duration.ofSeconds(30);
    /** How long VOLUME_INFO waits for the registry before it answers from a record this node already knows. */
    static final Duration KNOWN_VOLUME_LOOKUP_TIMEOUT = Duration.ofSeconds(1);

    private final VolumeRouter router;
    private final Scheduler scheduler;
    /** How long one attempt of a resendable request waits before the same message goes again ({@link #askResending}). */
    private final Duration resendAfter;

    /**
     * @param resendAfter how long a read or a retry-safe change waits for the volume's coordinator before it is sent
     *                    again; more than the coordinator's replica timeout, so that a COP1 waiting for a replica that
     *                    does not answer is not sent twice
     */
    VolumeRequests(VolumeRouter router, Scheduler scheduler, Duration resendAfter) {
        this.router = router;
        this.scheduler = scheduler;
        this.resendAfter = resendAfter;
    }

    // ---- the requests ----------------------------------------------------------------------------

    /**
     * A request the connection does not answer itself (not HELLO, FAREWELL, PING, STORE or FETCH): volume requests
     * go to the registry, the others to the volume's replicas. {@code clientId}/{@code id} identify it for retries.
     */
    CompletionStage<? extends Reply> route(Opcode op, Request request, String clientId, long id) {
        return switch (op) {
            case VOLUME_CREATE -> create((VolumeCreate) request, clientId, id);
            case VOLUME_INFO -> info((VolumeInfoRequest) request);
            case VOLUME_LIST -> list((VolumeList) request);
            case VALIDATE -> validate((Validate) request);
            case REPAIR_CHECK -> repairCheck((RepairCheck) request);
            case REPAIR_LIST -> repairList((RepairList) request);
            case REPAIR_SHOW -> repairShow((RepairShow) request);
            case REPAIR_FILE -> repairFile((RepairFile) request);
            case REPAIR_DIR -> repairDir((dev.strand.protocol.message.RepairDir) request);
            default -> execute(request, clientId, id);
        };
    }

    CompletionStage<VolumeInfo> create(VolumeCreate create, String clientId, long id) {
        // 0 (or absent) means 1; a negative count is the registry's INVALID_ARGUMENT, as the spec says
        int replicas = create.replicas() == 0 ? 1 : create.replicas();
        // (client id, request id) lets the registry recognise this create if the client sends it again
        CompletionStage<VolumeRegistry.Result> created = askRegistry(r -> new VolumeRegistry.CreateVolume(
                create.name(), replicas, r, create.minReplicas(), clientId, id));
        return created.thenApply(result -> {
            router.knownVolumes().remember(result);
            return result;
        }).thenCompose(this::withUsage);
    }

    CompletionStage<VolumeInfo> info(VolumeInfoRequest request) {
        String name = required(request.name(), "name");
        return lookUpVolume(name).thenCompose(this::withUsage);
    }

    /** One page of volumes in name order, from one registry page (see {@link VolumeListPages}). */
    CompletionStage<VolumeListReply> list(VolumeList request) {
        int pageSize = VolumeListPages.pageSize(request.limit());
        return askRegistry(r -> new VolumeRegistry.ListVolumesPage(request.after(), r)).thenApply(result -> {
            if (!(result instanceof VolumeRegistry.Result.VolumesPage page)) {
                volumes(result); // throws the refusal
                throw Status.INTERNAL.exception("the registry answered " + result.getClass().getSimpleName());
            }
            return VolumeListPages.cut(page.volumes(), page.last(), pageSize, v -> volumeInfo(v, null));
        });
    }

    /** Replicated volumes: every replica's version of one object. */
    CompletionStage<ValidateReply> validate(Validate request) {
        Fid fid = required(request.fid(), "fid");
        return askResending(fid.volume(), r -> new VolumeReplica.Validate(fid, r))
                .thenApply(VolumeRequests::validateReply);
    }

    /** strand repair check: the volume's coordinator compares its replicas now and starts what they need. */
    CompletionStage<RepairCheckReply> repairCheck(RepairCheck request) {
        String name = required(request.name(), "name");
        return lookUpVolume(name).thenCompose(result -> {
            VolumeRegistry.VolumeRecord volume = volumes(result).get(0);
            return askReplica(volume.id(), VolumeReplica.CheckGroup::new).thenApply(checked -> {
                if (checked instanceof VolumeReplica.Result.GroupChecked g) {
                    return new RepairCheckReply(volume.name(), g.group().stream().map(VolumeRequests::replicaInfo)
                            .toList(), g.started());
                }
                throw rejection(checked);
            });
        });
    }

    // ---- conflicts and their repair: through the volume's coordinator, which asks every replica ---------

    /** One page of a volume's conflicts, cut at {@link VolumeListPages#PAGE_BYTES} (exactly: each is encoded). */
    CompletionStage<RepairListReply> repairList(RepairList request) {
        String name = required(request.volume(), "volume");
        if (request.skip() < 0 || request.limit() < 0) {
            throw new BadRequestException("REPAIR_LIST skip and limit must not be negative");
        }
        int pageSize = VolumeListPages.pageSize(request.limit());
        return lookUpVolume(name).thenCompose(result -> {
            long id = volumes(result).get(0).id();
            return askResending(id, r -> new VolumeReplica.ListConflicts(request.skip(), pageSize, r));
        }).thenApply(result -> {
            if (!(result instanceof VolumeReplica.Result.ConflictsPage page)) {
                throw rejection(result);
            }
            List<ConflictInfo> conflicts = new java.util.ArrayList<>();
            int left = VolumeListPages.PAGE_BYTES;
            for (ConflictEntry e : page.conflicts()) {
                ConflictInfo info = conflictInfo(e.conflict(), e.markedOn());
                int cost = WireCodec.encode(info).length;
                if (conflicts.size() == pageSize || (cost > left && !conflicts.isEmpty())) {
                    break;
                }
                left -= cost;
                conflicts.add(info);
            }
            return new RepairListReply(List.copyOf(conflicts), conflicts.size() < page.conflicts().size()
                    || !page.last());
        });
    }

    /** Every replica's version of what a name is bound to. */
    CompletionStage<RepairShowReply> repairShow(RepairShow request) {
        Fid dir = required(request.dir(), "dir");
        String name = dev.strand.protocol.Names.checkEntryName(request.name());
        return askResending(dir.volume(), r -> new VolumeReplica.ReadObjectVersion(dir, name, r)).thenApply(result -> {
            if (!(result instanceof VolumeReplica.Result.ObjectVersions versions)) {
                throw rejection(result);
            }
            java.util.Set<dev.strand.volume.ConflictRecord> conflicts = new java.util.LinkedHashSet<>();
            java.util.Map<dev.strand.volume.ConflictRecord, java.util.Set<Integer>> markedOn = new java.util.HashMap<>();
            List<ReplicaObjectInfo> replicas = new java.util.ArrayList<>();
            for (ObjectVersion v : versions.versions()) {
                for (dev.strand.volume.ConflictRecord c : v.conflicts()) {
                    conflicts.add(c);
                    markedOn.computeIfAbsent(c, x -> new java.util.TreeSet<>()).add(v.replica());
                }
                var n = v.vnode();
                replicas.add(n == null ? new ReplicaObjectInfo(v.replica(), v.node(), v.available(), null, null, null,
                        0, 0, 0, 0, null, true, v.problem())
                        : new ReplicaObjectInfo(v.replica(), v.node(), v.available(), new Fid(dir.volume(), n.vnode(),
                        n.unique()), n.type(), n.versionVector().toList(), n.dataVersion(), n.size(), n.mtimeMillis(),
                        n.mode(), n.type() == FileType.DIRECTORY ? n.entries().stream().map(e -> new DirEntry(e.name(),
                        new Fid(dir.volume(), e.vnode(), e.unique()), e.type(), null)).toList() : null,
                        v.entriesComplete(), v.problem()));
            }
            return new RepairShowReply(replicas, conflicts.stream()
                    .map(c -> conflictInfo(c, List.copyOf(markedOn.get(c)))).toList());
        });
    }

    /** One replica's version of a file in conflict becomes every replica's. */
    CompletionStage<Attr> repairFile(RepairFile request) {
        Fid dir = required(request.dir(), "dir");
        String name = dev.strand.protocol.Names.checkEntryName(request.name());
        return askReplica(dir.volume(), r -> new VolumeReplica.RepairFile(dir, name, request.keep(), request.from(), r))
                .thenApply(result -> (Attr) done(result));
    }

    /** For each name in conflict, one replica's binding becomes every replica's. */
    CompletionStage<Attr> repairDir(dev.strand.protocol.message.RepairDir request) {
        Fid dir = required(request.dir(), "dir");
        List<String> names = required(request.names(), "names");
        List<Integer> keep = required(request.keep(), "keep");
        if (names.stream().anyMatch(java.util.Objects::isNull)
                || keep.stream().anyMatch(java.util.Objects::isNull)) {
            throw new dev.strand.protocol.error.BadRequestException("a null name or replica in REPAIR_DIR");
        }
        names.forEach(dev.strand.protocol.Names::checkEntryName);
        return askReplica(dir.volume(), r -> new VolumeReplica.RepairDir(dir, names, keep, request.renameOthers(), r))
                .thenApply(result -> (Attr) done(result));
    }

    private static ConflictInfo conflictInfo(dev.strand.volume.ConflictRecord c, List<Integer> markedOn) {
        return new ConflictInfo(c.kind(), c.objects(), c.names().stream()
                .map(n -> new ConflictInfo.ConflictName(n.dir(), n.name())).toList(), c.paths(), c.replicas(),
                c.reason(), markedOn);
    }

    /** A namespace request, executed by the replica of the volume it names. */
    CompletionStage<Reply> execute(Request request, String clientId, long id) {
        if (request instanceof Walk walk) {
            VolumeReads.checkWalkSize(walk); // the Execute must fit one frame
        }
        Fid fid = routingFid(request);
        // a change carries (clientId, id): a replica that applied it answers a second copy as it answered the first
        CompletionStage<VolumeReplica.Result> result = askResending(fid.volume(),
                r -> new VolumeReplica.Execute(request, clientId, id, r));
        return result.thenApply(VolumeRequests::done);
    }

    // ---- volumes ---------------------------------------------------------------------------------

    private CompletionStage<VolumeInfo> withUsage(VolumeRegistry.Result result) {
        VolumeRegistry.VolumeRecord volume = volumes(result).get(0);
        return askResending(volume.id(), VolumeReplica.GetStats::new).thenApply(stats -> {
            if (stats instanceof VolumeReplica.Result.Stats s) {
                return volumeInfo(volume, s);
            }
            throw rejection(stats);
        });
    }

    private static List<VolumeRegistry.VolumeRecord> volumes(VolumeRegistry.Result result) {
        if (result instanceof VolumeRegistry.Result.Volume v) {
            return List.of(v.volume());
        }
        if (result instanceof VolumeRegistry.Result.Volumes vs) {
            return vs.volumes();
        }
        VolumeRegistry.Result.Rejected r = (VolumeRegistry.Result.Rejected) result;
        throw r.status().exception(r.message());
    }

    static VolumeInfo volumeInfo(VolumeRegistry.VolumeRecord v, VolumeReplica.Result.Stats s) {
        List<ReplicaInfo> replicas = s == null || s.group() == null ? null : s.group().stream()
                .map(VolumeRequests::replicaInfo).toList();
        return new VolumeInfo(v.name(), v.id(), Fid.root(v.id()), v.replicas(), v.createdMillis(),
                s == null ? -1 : s.files(), s == null ? -1 : s.directories(), s == null ? -1 : s.symlinks(),
                s == null ? -1 : s.bytes(), s == null ? null : s.versionVector(), v.minReplicasSetting(), replicas);
    }

    private static ReplicaInfo replicaInfo(ReplicaSummary r) {
        return new ReplicaInfo(r.index(), r.entityId(), r.node(), r.available(), r.versionVector(), r.pendingCop2(),
                r.state(), r.resolutionLogEntries(), r.conflicts());
    }

    private static ValidateReply validateReply(VolumeReplica.Result result) {
        if (result instanceof VolumeReplica.Result.Validation v) {
            return new ValidateReply(v.replicas().stream().map(r -> new ReplicaVersionInfo(r.index(), r.node(),
                    r.available(), r.versionVector(), r.dataVersion(), r.problem())).toList(), v.agree());
        }
        throw rejection(result);
    }

    private CompletionStage<VolumeRegistry.Result> askRegistry(
            Function<ActorRef<VolumeRegistry.Result>, VolumeRegistry.Command> message) {
        return ask(router.registry(), message, "the volume registry", ASK_TIMEOUT);
    }

    /**
     * A volume's record from the registry; if the registry does not answer within
     * {@link #KNOWN_VOLUME_LOOKUP_TIMEOUT} and this node has seen the volume, the record it saw (records do
     * not change), so that clients connecting while the registry fails over still reach their volumes.
     */
    private CompletionStage<VolumeRegistry.Result> lookUpVolume(String name) {
        KnownVolumes known = router.knownVolumes();
        VolumeRegistry.VolumeRecord seen = known.get(name);
        return ask(router.registry(), (ActorRef<VolumeRegistry.Result> r) -> new VolumeRegistry.Lookup(name, r),
                "the volume registry", seen == null ? ASK_TIMEOUT : KNOWN_VOLUME_LOOKUP_TIMEOUT)
                .handle((result, failure) -> {
                    if (failure == null) {
                        known.remember(result);
                        return result;
                    }
                    if (seen != null) {
                        return new VolumeRegistry.Result.Volume(seen);
                    }
                    throw failure instanceof RuntimeException re ? re : new CompletionException(failure);
                });
    }

    // ---- replicas and their answers --------------------------------------------------------------

    CompletionStage<VolumeReplica.Result> askReplica(
            long volumeId, Function<ActorRef<VolumeReplica.Result>, VolumeReplica.Command> message) {
        return ask(router.replica(volumeId), message, "volume " + volumeId, ASK_TIMEOUT);
    }

    /**
     * As {@link #askReplica}, for a request that may safely arrive twice (a read, or a change a replica recognises by
     * its client id and request id): when no answer came within {@code resendAfter}, the same message is sent again,
     * until {@link #ASK_TIMEOUT} has passed. A message to a coordinator whose node just died is lost; once the node is
     * downed, Cluster Sharding starts the coordinator elsewhere and delivers the next copy there, so the request is
     * answered soon after the failover instead of at the ask timeout.
     */
    CompletionStage<VolumeReplica.Result> askResending(
            long volumeId, Function<ActorRef<VolumeReplica.Result>, VolumeReplica.Command> message) {
        CompletableFuture<VolumeReplica.Result> answer = new CompletableFuture<>();
        attempt(router.replica(volumeId), message, System.nanoTime() + ASK_TIMEOUT.toNanos(), answer);
        return answer.exceptionally(failure -> {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (isTimeout(cause)) {
                throw Status.TIMEOUT.exception("volume " + volumeId + " did not answer within " + ASK_TIMEOUT.toMillis()
                        + " ms");
            }
            throw cause instanceof StrandException se ? se
                    : Status.INTERNAL.exception("volume " + volumeId + " failed: " + cause.getMessage());
        });
    }

    private void attempt(RecipientRef<VolumeReplica.Command> target,
                         Function<ActorRef<VolumeReplica.Result>, VolumeReplica.Command> message, long deadlineNanos,
                         CompletableFuture<VolumeReplica.Result> answer) {
        long left = deadlineNanos - System.nanoTime();
        Duration wait = Duration.ofNanos(Math.max(1, Math.min(left, resendAfter.toNanos())));
        AskPattern.<VolumeReplica.Command, VolumeReplica.Result>ask(target, message::apply, wait, scheduler)
                .whenComplete((result, failure) -> {
                    if (failure == null) {
                        answer.complete(result);
                    } else if (isTimeout(failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure) && deadlineNanos - System.nanoTime() > 0) {
                        attempt(target, message, deadlineNanos, answer);
                    } else {
                        answer.completeExceptionally(failure);
                    }
                });
    }

    private static boolean isTimeout(Throwable cause) {
        return cause instanceof AskTimeoutException || cause instanceof TimeoutException;
    }

    private <C, R> CompletionStage<R> ask(RecipientRef<C> target, Function<ActorRef<R>, C> message, String who,
                                          Duration timeout) {
        return AskPattern.<C, R>ask(target, message::apply, timeout, scheduler)
                .exceptionally(failure -> {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    if (isTimeout(cause)) {
                        throw Status.TIMEOUT.exception(who + " did not answer within " + timeout.toMillis() + " ms");
                    }
                    throw cause instanceof StrandException se ? se
                            : Status.INTERNAL.exception(who + " failed: " + cause.getMessage());
                });
    }

    static Reply done(VolumeReplica.Result result) {
        if (result instanceof VolumeReplica.Result.Done d) {
            return d.reply();
        }
        throw rejection(result);
    }

    static StrandException rejection(VolumeReplica.Result result) {
        if (result instanceof VolumeReplica.Result.Rejected r) {
            return r.status().exception(r.message());
        }
        return Status.INTERNAL.exception("unexpected answer " + result.getClass().getSimpleName());
    }

    static StrandException asStrand(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof StrandException se ? se : Status.INTERNAL.exception(String.valueOf(cause.getMessage()));
    }

    static <T> T required(T value, String field) {
        if (value == null) {
            throw new BadRequestException("missing field '" + field + "'");
        }
        return value;
    }

    /** The fid whose volume serves a namespace request. */
    private static Fid routingFid(Request request) {
        Fid fid;
        if (request instanceof GetAttr r) {
            fid = r.fid();
        } else if (request instanceof Walk r) {
            fid = r.start();
        } else if (request instanceof ReadDir r) {
            fid = r.dir();
        } else if (request instanceof ReadLink r) {
            fid = r.fid();
        } else if (request instanceof Create r) {
            fid = r.dir();
        } else if (request instanceof MkDir r) {
            fid = r.dir();
        } else if (request instanceof Symlink r) {
            fid = r.dir();
        } else if (request instanceof Link r) {
            fid = r.dir();
        } else if (request instanceof Remove r) {
            fid = r.dir();
        } else if (request instanceof RmDir r) {
            fid = r.dir();
        } else if (request instanceof Rename r) {
            fid = r.fromDir();
        } else if (request instanceof SetAttr r) {
            fid = r.fid();
        } else {
            throw new BadRequestException("no volume for " + request.getClass().getSimpleName());
        }
        return required(fid, "fid");
    }
}
