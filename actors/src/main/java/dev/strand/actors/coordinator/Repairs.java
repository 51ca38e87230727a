package dev.strand.actors.coordinator;

import dev.strand.actors.registry.VolumeRegistry;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.actors.volume.VolumeReplica.Result;
import dev.strand.conflictrepair.PlanStep;
import dev.strand.protocol.Status;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.replication.VersionVector;
import dev.strand.volume.ConflictRecord;
import dev.strand.volume.VolumeSnapshot;
import dev.strand.volume.VolumeSnapshot.VnodeRecord;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * CONFLICTS, the coordinator's side of {@code strand repair}: it asks every replica, since each keeps its own
 * version of what is in conflict. Listing and showing combine the answers of the replicas that gave one; a repair
 * needs every replica's answer (a replica left out would keep its version and its conflict), reads every replica's
 * version first, and changes nothing if one of them does not answer. Mutations are not paused: the object in conflict
 * refuses every change (CONFLICT) until its replica's repair lands.
 */
final class Repairs {

    private final ActorContext<Object> context;
    private final GroupAsks asks;
    private final VolumeRegistry.VolumeRecord volume;
    private final dev.strand.volume.FrameBudget frames;
    private final org.apache.pekko.serialization.Serialization serialization;

    Repairs(ActorContext<Object> context, GroupAsks asks, VolumeRegistry.VolumeRecord volume) {
        this.context = context;
        this.asks = asks;
        this.volume = volume;
        this.frames = dev.strand.volume.FrameBudget.of(context.getSystem().settings().config());
        this.serialization = org.apache.pekko.serialization.SerializationExtension.get(
                org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(context.getSystem()));
    }

    /**
     * A page of conflicts: the union of every answering replica's page (the same conflicts in the same order, unless
     * a repair was interrupted), each with the replicas that mark it.
     */
    void list(VolumeReplica.ListConflicts command) {
        asks.gather(r -> new VolumeReplica.ListConflicts(command.skip(), command.max(), r), answers -> {
            asks.noteAnswers(answers);
            Map<ConflictRecord, Set<Integer>> union = new LinkedHashMap<>();
            boolean allLast = true;
            boolean any = false;
            for (int i = 0; i < answers.size(); i++) {
                if (answers.get(i) instanceof Result.ConflictsPage page) {
                    any = true;
                    allLast &= page.last();
                    for (Result.ConflictEntry e : page.conflicts()) {
                        union.computeIfAbsent(e.conflict(), c -> new TreeSet<>()).add(i);
                    }
                }
            }
            if (!any) {
                command.replyTo().tell(noAnswer(answers));
                return;
            }
            // the replicas' pages hold the same conflicts unless a repair was interrupted; cut the union to one page
            boolean last = allLast;
            List<Result.ConflictEntry> entries = new ArrayList<>();
            int left = frames.pageBytes() - 64;
            for (Map.Entry<ConflictRecord, Set<Integer>> e : union.entrySet()) {
                int cost = serialization.serialize(e.getKey()).get().length + 32;
                if (cost > left && !entries.isEmpty()) {
                    last = false;
                    break;
                }
                left -= cost;
                entries.add(new Result.ConflictEntry(e.getKey(), List.copyOf(e.getValue())));
            }
            command.replyTo().tell(new Result.ConflictsPage(entries, last));
        }, true);
    }

    /** Every replica's version of the object (a replica that did not answer is shown unavailable). */
    void show(VolumeReplica.ReadObjectVersion command) {
        asks.gather(r -> new VolumeReplica.ReadObjectVersion(command.dir(), command.name(), r), answers -> {
            asks.noteAnswers(answers);
            if (answers.stream().noneMatch(a -> a instanceof Result.ObjectVersions)) {
                command.replyTo().tell(noAnswer(answers));
                return;
            }
            command.replyTo().tell(new Result.ObjectVersions(versions(answers)));
        }, true);
    }

    private List<Result.ObjectVersion> versions(List<Result> answers) {
        List<Result.ObjectVersion> versions = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            if (answers.get(i) instanceof Result.ObjectVersions v && !v.versions().isEmpty()) {
                versions.add(v.versions().get(0));
            } else {
                versions.add(new Result.ObjectVersion(i, null, false, null, true,
                        answers.get(i) instanceof Result.Rejected r ? r.status() + ": " + r.message() : "did not answer",
                        List.of()));
            }
        }
        return versions;
    }

    /**
     * Replica {@code keep}'s version of the file becomes every replica's: the kept contents and attributes, and one
     * final version (the merge of every replica's vector with every slot one higher, so it dominates each of them; a
     * data version one above the highest), installed with the end of the conflict on every replica.
     */
    void repairFile(VolumeReplica.RepairFile command) {
        ActorRef<Result> client = command.replyTo();
        asks.gather(r -> new VolumeReplica.ReadObjectVersion(command.dir(), command.name(), r), answers -> {
            asks.noteAnswers(answers);
            for (int i = 0; i < answers.size(); i++) {
                if (!(answers.get(i) instanceof Result.ObjectVersions)) {
                    client.tell(new Result.Rejected(Status.UNAVAILABLE, "replica " + i + " ("
                            + volume.replicaEntityIds().get(i) + ") of volume '" + volume.name() + "' did not answer"
                            + (answers.get(i) instanceof Result.Rejected r ? " (" + r.message() + ")" : "")
                            + "; a repair needs every replica; nothing was changed"));
                    return;
                }
            }
            List<Result.ObjectVersion> versions = versions(answers);
            Result.Rejected refusal = refusal(command, versions);
            if (refusal != null) {
                client.tell(refusal);
                return;
            }
            perform(command, versions);
        });
    }

    /** Why this repair cannot be done as asked, or null. */
    private Result.Rejected refusal(VolumeReplica.RepairFile command, List<Result.ObjectVersion> versions) {
        String what = "'" + command.name() + "' in " + command.dir();
        if (command.keep() < 0 || command.keep() >= versions.size()) {
            return new Result.Rejected(Status.INVALID_ARGUMENT, "volume '" + volume.name() + "' has replicas 0 to "
                    + (versions.size() - 1) + ", not " + command.keep());
        }
        VnodeRecord kept = versions.get(command.keep()).vnode();
        if (kept == null) {
            return new Result.Rejected(Status.NOT_FOUND, "replica " + command.keep() + " has no " + what + ": "
                    + versions.get(command.keep()).problem());
        }
        if (kept.type() == FileType.DIRECTORY) {
            return new Result.Rejected(Status.IS_A_DIRECTORY, what + " is a directory: 'repair file' repairs files");
        }
        Set<ConflictRecord> conflicts = new LinkedHashSet<>();
        for (Result.ObjectVersion v : versions) {
            if (v.vnode() == null || v.vnode().vnode() != kept.vnode() || v.vnode().unique() != kept.unique()) {
                return new Result.Rejected(Status.INVALID_ARGUMENT, "replica " + v.replica() + " binds " + what
                        + " to another object or to none (" + (v.vnode() == null ? v.problem() : "vnode "
                        + v.vnode().vnode()) + "): that conflict is over names, not one file's versions; see 'strand repair dir'");
            }
            conflicts.addAll(v.conflicts());
        }
        if (conflicts.isEmpty()) {
            return new Result.Rejected(Status.INVALID_ARGUMENT, what + " is not in conflict on any replica");
        }
        for (ConflictRecord c : conflicts) {
            if (c.objects().size() != 1 || !c.names().isEmpty()) {
                return new Result.Rejected(Status.INVALID_ARGUMENT, what + " is in a " + c.kind() + " conflict with "
                        + c.objects().size() + " objects and " + c.names().size() + " names (" + c.paths()
                        + "): a file's repair cannot settle it alone");
            }
        }
        return null;
    }

    private void perform(VolumeReplica.RepairFile command, List<Result.ObjectVersion> versions) {
        int keep = command.keep();
        VnodeRecord kept = versions.get(keep).vnode();
        Fid fid = new Fid(volume.id(), kept.vnode(), kept.unique());
        VersionVector vector = null;
        long dataVersion = 0;
        for (Result.ObjectVersion v : versions) {
            vector = vector == null ? v.vnode().versionVector() : vector.merge(v.vnode().versionVector());
            dataVersion = Math.max(dataVersion, v.vnode().dataVersion());
        }
        for (int slot = 0; slot < versions.size(); slot++) {
            vector = vector.increment(slot); // dominates every replica's version of it
        }
        PlanStep.Stamp stamp = new PlanStep.Stamp(fid, dataVersion + 1, vector, kept.mtimeMillis(),
                System.currentTimeMillis());
        List<java.util.concurrent.CompletableFuture<Result>> answers = new ArrayList<>();
        for (int i = 0; i < versions.size(); i++) {
            List<PlanStep> steps = i == keep ? List.of(stamp) : List.of(new PlanStep.TakeData(fid, keep, kept.mode(),
                    kept.size(), kept.mtimeMillis(), kept.blobId(), kept.blobLength()), stamp);
            answers.add(asks.ask(i, r -> new VolumeReplica.RepairObject(fid, steps, r)).toCompletableFuture()
                    .exceptionally(failure -> null));
        }
        context.pipeToSelf(java.util.concurrent.CompletableFuture.allOf(
                        answers.toArray(java.util.concurrent.CompletableFuture[]::new)),
                (ok, failure) -> new VolumeCoordinator.Gathered(answers.stream().map(a -> a.getNow(null)).toList(),
                        done -> repaired(command, fid, done)));
    }

    private void repaired(VolumeReplica.RepairFile command, Fid fid, List<Result> done) {
        List<Integer> performed = new ArrayList<>();
        List<String> not = new ArrayList<>();
        for (int i = 0; i < done.size(); i++) {
            if (done.get(i) instanceof Result.Done) {
                performed.add(i);
            } else {
                not.add(i + (done.get(i) instanceof Result.Rejected r ? " (" + r.message() + ")" : " (no answer)"));
            }
        }
        if (not.isEmpty()) {
            context.getLog().info("Volume {}: {} repaired from replica {} on every replica", volume.id(), fid,
                    command.keep());
            command.replyTo().tell(new Result.Done(((Result.Done) done.get(command.keep())).reply()));
            return;
        }
        context.getLog().warn("Volume {}: the repair of {} was performed on replicas {} only; not on {}", volume.id(),
                fid, performed, not);
        command.replyTo().tell(new Result.Rejected(Status.UNAVAILABLE, "the repair of " + fid + " was performed on "
                + "replicas " + performed + " but not on " + not + "; run it again: the conflict stays marked there"));
    }

    /** Most names one {@code repair dir} settles (its messages stay far below one frame). */
    static final int MAX_DIR_NAMES = 32;

    /** The conflict kinds {@code repair dir} settles: a name bound differently, an object removed on one side. */
    private static final Set<String> NAME_KINDS = Set.of("NAME_NAME", "REMOVE_UPDATE");

    /**
     * For each name chosen, replica {@code keep}'s binding becomes every replica's (see {@link
     * VolumeReplica.RepairDir}). Reads every replica's version of the directory, of each name and (with
     * rename-others) of each name the others would take first; any replica that does not answer: UNAVAILABLE,
     * nothing changed. The directory and every object kept get one final version dominating every earlier one.
     */
    void repairDir(VolumeReplica.RepairDir command) {
        int replicas = volume.replicaEntityIds().size();
        String invalid = command.names().isEmpty() ? "no name chosen"
                : command.names().size() > MAX_DIR_NAMES ? "at most " + MAX_DIR_NAMES + " names at a time"
                : command.names().size() != command.keep().size() ? "one replica per name"
                : new LinkedHashSet<>(command.names()).size() != command.names().size() ? "a name chosen twice" : null;
        for (int k : command.keep()) {
            if (invalid == null && (k < 0 || k >= replicas)) {
                invalid = "volume '" + volume.name() + "' has replicas 0 to " + (replicas - 1) + ", not " + k;
            }
        }
        if (invalid != null) {
            command.replyTo().tell(new Result.Rejected(Status.INVALID_ARGUMENT, invalid));
            return;
        }
        List<String> reads = new ArrayList<>();
        reads.add(null); // the directory itself
        reads.addAll(command.names());
        if (command.renameOthers()) {
            for (String name : command.names()) {
                for (int j = 0; j < replicas; j++) {
                    reads.add(conflictName(name, j));
                }
            }
        }
        List<java.util.concurrent.CompletableFuture<Result>> answers = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            int replica = i;
            for (String name : reads) {
                answers.add(asks.ask(replica, r -> new VolumeReplica.ReadObjectVersion(command.dir(), name, r))
                        .toCompletableFuture().exceptionally(failure -> null));
            }
        }
        context.pipeToSelf(java.util.concurrent.CompletableFuture.allOf(
                        answers.toArray(java.util.concurrent.CompletableFuture[]::new)),
                (ok, failure) -> new VolumeCoordinator.Gathered(answers.stream().map(a -> a.getNow(null)).toList(),
                        read -> decideDir(command, reads, read)));
    }

    /** Where replica {@code replica}'s object bound to {@code name} is kept with rename-others. */
    static String conflictName(String name, int replica) {
        return name + ".conflict-r" + replica;
    }

    private void decideDir(VolumeReplica.RepairDir command, List<String> reads, List<Result> flat) {
        int replicas = volume.replicaEntityIds().size();
        List<Map<String, Result.ObjectVersion>> seen = new ArrayList<>(); // per replica, by name ("" the directory)
        for (int i = 0; i < replicas; i++) {
            Map<String, Result.ObjectVersion> byName = new java.util.HashMap<>();
            for (int j = 0; j < reads.size(); j++) {
                Result answer = flat.get(i * reads.size() + j);
                if (!(answer instanceof Result.ObjectVersions v) || v.versions().isEmpty()) {
                    command.replyTo().tell(new Result.Rejected(Status.UNAVAILABLE, "replica " + i + " ("
                            + volume.replicaEntityIds().get(i) + ") of volume '" + volume.name() + "' did not answer"
                            + (answer instanceof Result.Rejected r ? " (" + r.message() + ")" : "")
                            + "; a repair needs every replica; nothing was changed"));
                    return;
                }
                byName.put(reads.get(j) == null ? "" : reads.get(j), v.versions().get(0));
            }
            seen.add(byName);
        }
        Fid dirFid = command.dir();
        VersionVector dirVector = null;
        long dirData = 0;
        for (int i = 0; i < replicas; i++) {
            VnodeRecord d = seen.get(i).get("").vnode();
            if (d == null || d.type() != FileType.DIRECTORY) {
                command.replyTo().tell(new Result.Rejected(Status.NOT_FOUND, "replica " + i + ": "
                        + seen.get(i).get("").problem()));
                return;
            }
            dirVector = dirVector == null ? d.versionVector() : dirVector.merge(d.versionVector());
            dirData = Math.max(dirData, d.dataVersion());
        }
        long now = System.currentTimeMillis();
        List<VolumeSnapshot.EntryRecord> bindings = new ArrayList<>();
        Map<Long, VnodeRecord> objects = new LinkedHashMap<>();
        List<Fid> dropped = new ArrayList<>();
        List<Fid> cleared = new ArrayList<>();
        for (int n = 0; n < command.names().size(); n++) {
            String name = command.names().get(n);
            String what = "'" + name + "' in " + dirFid;
            Set<ConflictRecord> conflicts = new LinkedHashSet<>();
            Map<Long, Integer> firstHolder = new LinkedHashMap<>(); // object bound to the name -> first replica
            for (int i = 0; i < replicas; i++) {
                Result.ObjectVersion v = seen.get(i).get(name);
                conflicts.addAll(v.conflicts());
                if (v.vnode() != null) {
                    if (v.vnode().type() == FileType.DIRECTORY) {
                        command.replyTo().tell(new Result.Rejected(Status.INVALID_ARGUMENT, "replica " + i + " binds "
                                + what + " to a directory: 'repair dir' settles names bound to files and symbolic"
                                + " links only (not yet directories)"));
                        return;
                    }
                    firstHolder.putIfAbsent(v.vnode().vnode(), i);
                }
            }
            if (conflicts.isEmpty()) {
                command.replyTo().tell(new Result.Rejected(Status.INVALID_ARGUMENT, what
                        + " is not in conflict on any replica"));
                return;
            }
            for (ConflictRecord c : conflicts) {
                if (!NAME_KINDS.contains(c.kind())) {
                    command.replyTo().tell(new Result.Rejected(Status.INVALID_ARGUMENT, what + " is in a " + c.kind()
                            + " conflict (" + c.paths() + "): 'repair dir' settles NAME_NAME and REMOVE_UPDATE"
                            + (c.kind().equals("UPDATE_UPDATE") ? "; use 'repair file'" : "")));
                    return;
                }
                cleared.addAll(c.objects());
            }
            int keep = command.keep().get(n);
            VnodeRecord kept = seen.get(keep).get(name).vnode();
            for (Map.Entry<Long, Integer> holder : firstHolder.entrySet()) {
                int i = holder.getValue();
                VnodeRecord o = seen.get(i).get(name).vnode();
                boolean isKept = kept != null && o.vnode() == kept.vnode() && o.unique() == kept.unique();
                if (!isKept && o.linkCount() > 1) {
                    command.replyTo().tell(new Result.Rejected(Status.INVALID_ARGUMENT, "replica " + i + "'s object "
                            + "bound to " + what + " has other names: 'repair dir' does not remove or move it"));
                    return;
                }
                String boundAs = isKept ? name : command.renameOthers() ? conflictName(name, i) : null;
                Fid fid = new Fid(dirFid.volume(), o.vnode(), o.unique());
                cleared.add(fid);
                if (boundAs == null) {
                    dropped.add(fid);
                    continue;
                }
                if (!isKept) {
                    try {
                        dev.strand.protocol.Names.checkEntryName(boundAs);
                    } catch (dev.strand.protocol.StrandException tooLong) {
                        command.replyTo().tell(new Result.Rejected(Status.INVALID_ARGUMENT, "cannot keep replica " + i
                                + "'s object as '" + boundAs + "': " + tooLong.getMessage()));
                        return;
                    }
                    for (int r = 0; r < replicas; r++) {
                        if (seen.get(r).get(boundAs).vnode() != null) {
                            command.replyTo().tell(new Result.Rejected(Status.INVALID_ARGUMENT, "'" + boundAs
                                    + "' exists in " + dirFid + " on replica " + r + ": rename it first"));
                            return;
                        }
                    }
                }
                objects.put(o.vnode(), stamped(seen, name, o, i, dirFid, now));
                bindings.add(new VolumeSnapshot.EntryRecord(boundAs, o.vnode(), o.unique(), o.type()));
            }
        }
        for (int slot = 0; slot < replicas; slot++) {
            dirVector = dirVector.increment(slot); // dominates every replica's version of the directory
        }
        PlanStep.Stamp dirStamp = new PlanStep.Stamp(dirFid, dirData + 1, dirVector, now, now);
        List<VnodeRecord> installed = List.copyOf(objects.values());
        List<Fid> ended = List.copyOf(new LinkedHashSet<>(cleared));
        // one frame per replica: long symbolic-link targets times many names could exceed it
        int bytes = serialization.serialize(new VolumeReplica.RepairNames(dirFid, command.names(), bindings, installed,
                dropped, dirStamp, ended, null)).get().length;
        if (bytes > frames.pageBytes()) {
            command.replyTo().tell(new Result.Rejected(Status.INVALID_ARGUMENT, "the repair of " + command.names().size()
                    + " names takes " + bytes + " bytes, more than one message holds: repair fewer names at a time"));
            return;
        }
        List<java.util.concurrent.CompletableFuture<Result>> answers = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            answers.add(asks.ask(i, r -> new VolumeReplica.RepairNames(dirFid, command.names(), bindings, installed,
                            dropped, dirStamp, ended, r))
                    .toCompletableFuture().exceptionally(failure -> null));
        }
        context.pipeToSelf(java.util.concurrent.CompletableFuture.allOf(
                        answers.toArray(java.util.concurrent.CompletableFuture[]::new)),
                (ok, failure) -> new VolumeCoordinator.Gathered(answers.stream().map(a -> a.getNow(null)).toList(),
                        done -> finished(command.replyTo(), "the repair of " + command.names() + " in " + dirFid,
                                done)));
    }

    /**
     * Replica {@code from}'s version of {@code o} with its final version: the merge of every replica's vector of it
     * with every slot one higher, a data version one above the highest; one name, in the directory.
     */
    private static VnodeRecord stamped(List<Map<String, Result.ObjectVersion>> seen, String name, VnodeRecord o,
                                       int from, Fid dir, long now) {
        VersionVector vector = o.versionVector();
        long dataVersion = o.dataVersion();
        for (Map<String, Result.ObjectVersion> replica : seen) {
            VnodeRecord v = replica.get(name).vnode();
            if (v != null && v.vnode() == o.vnode() && v.unique() == o.unique()) {
                vector = vector.merge(v.versionVector());
                dataVersion = Math.max(dataVersion, v.dataVersion());
            }
        }
        for (int slot = 0; slot < seen.size(); slot++) {
            vector = vector.increment(slot);
        }
        return new VnodeRecord(o.vnode(), o.unique(), o.type(), o.mode(), o.owner(), o.size(), 1, o.mtimeMillis(),
                now, dataVersion + 1, vector, o.blobId(), o.blobLength(), o.symlinkTarget(), dir.vnode(), List.of());
    }

    private void finished(ActorRef<Result> client, String what, List<Result> done) {
        List<Integer> performed = new ArrayList<>();
        List<String> not = new ArrayList<>();
        for (int i = 0; i < done.size(); i++) {
            if (done.get(i) instanceof Result.Done) {
                performed.add(i);
            } else {
                not.add(i + (done.get(i) instanceof Result.Rejected r ? " (" + r.message() + ")" : " (no answer)"));
            }
        }
        if (not.isEmpty()) {
            context.getLog().info("Volume {}: {} was performed on every replica", volume.id(), what);
            client.tell(new Result.Done(((Result.Done) done.get(0)).reply()));
            return;
        }
        context.getLog().warn("Volume {}: {} was performed on replicas {} only; not on {}", volume.id(), what,
                performed, not);
        client.tell(new Result.Rejected(Status.UNAVAILABLE, what + " was performed on replicas " + performed
                + " but not on " + not + "; run it again: the conflict stays marked there"));
    }

    private Result noAnswer(List<Result> answers) {
        return answers.stream().filter(a -> a instanceof Result.Rejected).findFirst()
                .orElse(new Result.Rejected(Status.UNAVAILABLE, "no replica of volume '" + volume.name()
                        + "' answered"));
    }
}
