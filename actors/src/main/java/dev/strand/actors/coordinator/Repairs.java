package dev.strand.actors.coordinator;

import dev.strand.actors.volume.ObjectVersion;
import dev.strand.actors.volume.ConflictEntry;
import dev.strand.actors.registry.VolumeRegistry;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.actors.volume.VolumeReplica.Result;
import dev.strand.conflictrepair.PlanStep;
import dev.strand.conflictrepair.RepairPlanner;
import dev.strand.protocol.Status;
import dev.strand.protocol.message.Fid;
import dev.strand.volume.ConflictRecord;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * CONFLICTS, the coordinator's side of {@code strand repair}: it asks every replica, since each keeps its own
 * version of what is in conflict. Listing and showing combine the answers of the replicas that gave one; a repair
 * needs every replica's answer (a replica left out would keep its version and its conflict), reads every replica's
 * version first, and changes nothing if one of them does not answer. A repair pauses mutations as a resolution does
 * (what is in flight finishes, every replica applies the update sets it is owed, then the repair reads and applies,
 * then mutations resume), so nothing changes between what it read and what it writes; while another pause holds
 * them (a catch-up's last round, a resolution, a group check, another repair) it is refused with UNAVAILABLE.
 */
final class Repairs {

    private final ActorContext<Object> context;
    private final GroupAsks asks;
    private final VolumeRegistry.VolumeRecord volume;
    private final dev.strand.volume.FrameBudget frames;
    private final org.apache.pekko.serialization.Serialization serialization;

    /** The pause a repair holds from its reads to its answer. */
    private final MutationHold hold;
    private final DirRepairs dirRepairs;

    Repairs(ActorContext<Object> context, GroupAsks asks, VolumeRegistry.VolumeRecord volume,
            MutationHold hold) {
        this.context = context;
        this.asks = asks;
        this.volume = volume;
        this.hold = hold;
        this.frames = dev.strand.volume.FrameBudget.of(context.getSystem().settings().config());
        this.serialization = org.apache.pekko.serialization.SerializationExtension.get(
                org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(context.getSystem()));
        this.dirRepairs = new DirRepairs(context, asks, volume, frames, serialization, this);
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
                    for (ConflictEntry e : page.conflicts()) {
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
            List<ConflictEntry> entries = new ArrayList<>();
            int left = frames.pageBytes() - 64;
            for (Map.Entry<ConflictRecord, Set<Integer>> e : union.entrySet()) {
                int cost = serialization.serialize(e.getKey()).get().length + 32;
                if (cost > left && !entries.isEmpty()) {
                    last = false;
                    break;
                }
                left -= cost;
                entries.add(new ConflictEntry(e.getKey(), List.copyOf(e.getValue())));
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

    private List<ObjectVersion> versions(List<Result> answers) {
        List<ObjectVersion> versions = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            if (answers.get(i) instanceof Result.ObjectVersions v && !v.versions().isEmpty()) {
                versions.add(v.versions().get(0));
            } else {
                versions.add(new ObjectVersion(i, null, false, null, true,
                        answers.get(i) instanceof Result.Rejected r ? r.status() + ": " + r.message() : "did not answer",
                        List.of()));
            }
        }
        return versions;
    }

    /**
     * Runs {@code repair} once mutations are paused and every replica applied the update sets it is owed; false (the
     * client told UNAVAILABLE) when another pause holds mutations.
     */
    boolean paused(ActorRef<Result> client, Runnable repair) {
        if (!hold.hold(MutationHold.Holder.REPAIR, unacknowledged -> repair.run())) {
            client.tell(new Result.Rejected(Status.UNAVAILABLE, "volume '" + volume.name() + "' holds its changes "
                    + "for a catch-up, a resolution, a group check or another repair now; nothing was changed; "
                    + "try again"));
            return false;
        }
        return true;
    }

    /** The repair's answer: mutations resume first. */
    void answer(ActorRef<Result> client, Result result) {
        if (hold.heldBy(MutationHold.Holder.REPAIR)) {
            hold.release();
        }
        client.tell(result);
    }

    /**
     * Replica {@code keep}'s version of the file becomes every replica's: the kept contents and attributes, and one
     * final version (the merge of every replica's vector with every slot one higher, so it dominates each of them; a
     * data version one above the highest), installed with the end of the conflict on every replica.
     */
    void repairFile(VolumeReplica.RepairFile command) {
        paused(command.replyTo(), () -> readThenRepairFile(command));
    }

    private void readThenRepairFile(VolumeReplica.RepairFile command) {
        ActorRef<Result> client = command.replyTo();
        asks.gather(r -> new VolumeReplica.ReadObjectVersion(command.dir(), command.name(), r), answers -> {
            asks.noteAnswers(answers);
            for (int i = 0; i < answers.size(); i++) {
                if (!(answers.get(i) instanceof Result.ObjectVersions)) {
                    answer(client, new Result.Rejected(Status.UNAVAILABLE, "replica " + i + " ("
                            + volume.replicaEntityIds().get(i) + ") of volume '" + volume.name() + "' did not answer"
                            + (answers.get(i) instanceof Result.Rejected r ? " (" + r.message() + ")" : "")
                            + "; a repair needs every replica; nothing was changed"));
                    return;
                }
            }
            List<RepairPlanner.Seen> versions = seen(versions(answers));
            if (command.from() == null) {
                decideFile(command, versions, null);
                return;
            }
            // the new contents: the file the client staged them in, read by fid on every replica
            asks.gather(r -> new VolumeReplica.ReadObjectVersion(command.from(), null, r), staged -> {
                asks.noteAnswers(staged);
                for (int i = 0; i < staged.size(); i++) {
                    if (!(staged.get(i) instanceof Result.ObjectVersions)) {
                        answer(client, new Result.Rejected(Status.UNAVAILABLE, "replica " + i + " of volume '"
                                + volume.name() + "' did not answer; a repair needs every replica; nothing was changed"));
                        return;
                    }
                }
                decideFile(command, versions, seen(versions(staged)));
            });
        });
    }

    private void decideFile(VolumeReplica.RepairFile command, List<RepairPlanner.Seen> versions,
                            List<RepairPlanner.Seen> staged) {
        var decision = RepairPlanner.repairFile(volume.name(), command.dir(), command.name(), command.keep(),
                versions, command.from(), staged, System.currentTimeMillis());
        if (decision instanceof RepairPlanner.Refused refused) {
            answer(command.replyTo(), new Result.Rejected(refused.status(), refused.message()));
            return;
        }
        perform(command, (RepairPlanner.FileRepair) decision);
    }

    /** The replicas' versions as the planner reads them. */
    private static List<RepairPlanner.Seen> seen(List<ObjectVersion> versions) {
        return versions.stream().map(Repairs::seen).toList();
    }

    static RepairPlanner.Seen seen(ObjectVersion v) {
        return new RepairPlanner.Seen(v.vnode(), v.entriesComplete(), v.problem(), v.conflicts());
    }

    private void perform(VolumeReplica.RepairFile command, RepairPlanner.FileRepair repair) {
        Fid fid = repair.object();
        List<java.util.concurrent.CompletableFuture<Result>> answers = new ArrayList<>();
        for (int i = 0; i < repair.steps().size(); i++) {
            List<PlanStep> steps = repair.steps().get(i);
            answers.add(asks.askOrNull(i, r -> new VolumeReplica.RepairObject(fid, steps, r)));
        }
        asks.whenAll(answers, done -> repaired(command, fid, done));
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
            answer(command.replyTo(), new Result.Done(((Result.Done) done.get(command.keep())).reply()));
            return;
        }
        context.getLog().warn("Volume {}: the repair of {} was performed on replicas {} only; not on {}", volume.id(),
                fid, performed, not);
        answer(command.replyTo(), new Result.Rejected(Status.UNAVAILABLE, "the repair of " + fid + " was performed on "
                + "replicas " + performed + " but not on " + not + "; run it again: the conflict stays marked there"));
    }

    /** {@code strand repair dir}: see {@link DirRepairs}. */
    void repairDir(VolumeReplica.RepairDir command) {
        dirRepairs.repairDir(command);
    }

    void finished(ActorRef<Result> client, String what, List<Result> done) {
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
            answer(client, new Result.Done(((Result.Done) done.get(0)).reply()));
            return;
        }
        context.getLog().warn("Volume {}: {} was performed on replicas {} only; not on {}", volume.id(), what,
                performed, not);
        answer(client, new Result.Rejected(Status.UNAVAILABLE, what + " was performed on replicas " + performed
                + " but not on " + not + "; run it again: the conflict stays marked there"));
    }

    Result noAnswer(List<Result> answers) {
        return answers.stream().filter(a -> a instanceof Result.Rejected).findFirst()
                .orElse(new Result.Rejected(Status.UNAVAILABLE, "no replica of volume '" + volume.name()
                        + "' answered"));
    }
}
