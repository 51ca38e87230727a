package dev.strand.actors.volume;

import dev.strand.actors.volume.VolumeReplica.ListConflicts;
import dev.strand.actors.volume.VolumeReplica.ReadObjectVersion;
import dev.strand.actors.volume.VolumeReplica.RepairNames;
import dev.strand.actors.volume.VolumeReplica.RepairObject;
import dev.strand.actors.volume.VolumeReplica.Result;
import dev.strand.conflictrepair.RepairPlanner;
import dev.strand.conflictrepair.ReplicaRepairs;
import dev.strand.conflictrepair.VnodeImages;
import dev.strand.protocol.Status;
import dev.strand.protocol.message.Fid;
import dev.strand.volume.ConflictRecord;
import dev.strand.volume.Vnode;
import dev.strand.volume.Volume;
import dev.strand.volume.VolumeEvent;
import dev.strand.volume.VolumeSnapshot;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;

import java.util.ArrayList;
import java.util.List;

import static dev.strand.actors.volume.ReplicaScope.reply;

/**
 * CONFLICTS, a replica's side of {@code strand repair}: it lists its conflicts, shows its own version of an object
 * (in conflict or not: these reads are the one way to see one), and performs a repair's steps together with the
 * {@link VolumeEvent.ConflictRepaired} that clears the conflict, in one atomic write. The coordinator asks every
 * replica and decides ({@code coordinator/Repairs}). Every answer fits one remoting frame: pages and a directory's
 * entries are cut at the page budget.
 */
final class RepairCommands {

    /** Most conflicts in one page. */
    static final int MAX_PAGE = 1000;

    private final ReplicaScope scope;
    private final Serialization serialization;

    // A repair's objects and removals that came before its RepairNames: input held for one command, never volume state.
    /** A large repair's objects and removals, staged for its RepairNames. */
    private final StagedParts<VolumeSnapshot.VnodeRecord, Fid> staged;

    RepairCommands(ReplicaScope scope) {
        this.scope = scope;
        this.serialization = SerializationExtension.get(Adapter.toClassic(scope.context.getSystem()));
        // a page over the bound: the planner bounds the repair by estimate, the staging by serialized size
        this.staged = new StagedParts<>(RepairPlanner.MAX_REPAIR_BYTES + scope.frames.pageBytes());
    }

    Effect<VolumeEvent, Volume> onListConflicts(Volume volume, ListConflicts command) {
        List<ConflictRecord> all = volume.conflicts().records();
        int max = command.max() <= 0 ? MAX_PAGE : Math.min(command.max(), MAX_PAGE);
        List<ConflictEntry> page = new ArrayList<>();
        int left = scope.frames.pageBytes() - 64;
        int i = Math.max(0, command.skip());
        for (; i < all.size() && page.size() < max; i++) {
            int cost = serialization.serialize(all.get(i)).get().length + 16; // exact: the record as it travels
            if (cost > left && !page.isEmpty()) {
                break;
            }
            left -= cost;
            page.add(new ConflictEntry(all.get(i), List.of(scope.replicaIndex)));
        }
        reply(command.replyTo(), new Result.ConflictsPage(page, i >= all.size()));
        return scope.effects.none();
    }

    Effect<VolumeEvent, Volume> onReadObjectVersion(Volume volume, ReadObjectVersion command) {
        reply(command.replyTo(), new Result.ObjectVersions(List.of(version(volume, command.dir(), command.name()))));
        return scope.effects.none();
    }

    /**
     * This replica's version ({@link RepairPlanner#read}); a directory's entries as many as fit this replica's share
     * of half a page: the coordinator sends every replica's version in one answer (the rest of each version is small).
     */
    private ObjectVersion version(Volume volume, Fid dirFid, String name) {
        RepairPlanner.Seen seen = ReplicaRepairs.read(volume, dirFid, name,
                scope.frames.pageBytes() / (2 * Math.max(1, volume.replicas())));
        return new ObjectVersion(scope.replicaIndex, scope.node(), true, seen.vnode(), seen.entriesComplete(),
                seen.problem(), seen.conflicts());
    }

    /**
     * {@code strand repair dir} on this replica: the directory's entries as the coordinator decided them, the kept
     * objects installed as given, the others removed, the directory stamped, the conflicts ended; one write. Refused
     * (CHANGED, nothing done) if this replica's state is not what the coordinator read.
     */
    Effect<VolumeEvent, Volume> onRepairNames(Volume volume, RepairNames command) {
        List<VolumeSnapshot.VnodeRecord> objects = new ArrayList<>();
        List<Fid> dropped = new ArrayList<>();
        StagedParts.Taken<VolumeSnapshot.VnodeRecord, Fid> parts = staged.take(command.staged());
        if (command.staged() != 0) {
            if (parts == null) {
                return changed(command, "the objects staged for repair " + command.staged() + " are not here (a"
                        + " restart, or another repair's came since)");
            }
            objects.addAll(VnodeImages.joinPieces(parts.first())); // a large directory was staged in pieces
            dropped.addAll(parts.second());
        }
        objects.addAll(command.objects());
        dropped.addAll(command.dropped());
        List<VolumeEvent> events;
        try {
            events = ReplicaRepairs.namesRepairEvents(volume, scope.replicaIndex, new RepairPlanner.NamesRepair(
                    command.dir(), command.names(), command.bindings(), objects, dropped,
                    command.dirStamp(), command.cleared(), command.otherDirs()));
        } catch (ReplicaRepairs.Changed changed) {
            return changed(command, changed.getMessage());
        }
        scope.context.getLog().info("Replica {} repairs names {} of {} ({} objects installed, {} removed) and clears"
                + " their conflicts", scope.entityId, command.names(), command.dir(), objects.size(), dropped.size());
        return scope.effects.persist(events).thenRun(after ->
                reply(command.replyTo(), new Result.Done(after.attr(after.vnode(command.dir().vnode())), true)));
    }

    /**
     * A page of a directory's subtree for {@code strand repair dir} ({@link RepairPlanner#subtreeInPieces}, directories
     * cut at half a page), cut at the page budget by each piece's serialized size.
     */
    Effect<VolumeEvent, Volume> onReadSubtree(Volume volume, VolumeReplica.ReadSubtree command) {
        List<VolumeSnapshot.VnodeRecord> pieces = ReplicaRepairs.subtreeInPieces(volume, command.dir(),
                scope.frames.pageBytes() / 2);
        List<VolumeSnapshot.VnodeRecord> rest = pieces.subList(Math.min(Math.max(0, command.skip()), pieces.size()),
                pieces.size());
        List<VolumeSnapshot.VnodeRecord> page = new ArrayList<>();
        int base = serialization.serialize(new Result.ResolutionImages(List.of(), true)).get().length;
        int left = scope.frames.pageBytes() - base;
        for (VolumeSnapshot.VnodeRecord piece : rest) { // what it adds to a page: exact, a repair is rare
            int cost = serialization.serialize(new Result.ResolutionImages(List.of(piece), true)).get().length - base;
            if (cost > left && !page.isEmpty()) {
                break;
            }
            left -= cost;
            page.add(piece);
        }
        reply(command.replyTo(), new Result.ResolutionImages(page, page.size() < rest.size()));
        return scope.effects.none();
    }

    /**
     * Holds part of a repair's objects and removals for its {@link RepairNames}; at most {@link
     * RepairPlanner#MAX_REPAIR_BYTES} (by serialized size) for one repair, what one atomic write may hold.
     */
    Effect<VolumeEvent, Volume> onStageRepair(Volume volume, VolumeReplica.StageRepair command) {
        long bytes = serialization.serialize(command).get().length;
        if (!staged.add(command.repair(), bytes, command.objects(), command.dropped())) {
            reply(command.replyTo(), new Result.Rejected(Status.INVALID_ARGUMENT, "replica " + scope.entityId
                    + ": the repair's objects pass " + RepairPlanner.MAX_REPAIR_BYTES + " bytes, more than one atomic"
                    + " write may hold"));
            return scope.effects.none();
        }
        reply(command.replyTo(), new Result.Installed(staged.count()));
        return scope.effects.none();
    }

    private Effect<VolumeEvent, Volume> changed(RepairNames command, String why) {
        reply(command.replyTo(), new Result.Rejected(Status.CHANGED, "replica " + scope.entityId + " cannot repair "
                + command.names() + " in " + command.dir() + ": " + why));
        return scope.effects.none();
    }

    /** The repair's steps (the kept version, then its final stamp) and the end of the conflict, in one write. */
    Effect<VolumeEvent, Volume> onRepairObject(Volume volume, RepairObject command) {
        List<VolumeEvent> events;
        try {
            events = ReplicaRepairs.fileRepairEvents(volume, scope.replicaIndex, command.object(), command.steps());
        } catch (RuntimeException refused) { // the object is not what the coordinator read: nothing is done
            reply(command.replyTo(), new Result.Rejected(Status.CHANGED, "replica " + scope.entityId
                    + " cannot repair " + command.object() + ": " + refused.getMessage()));
            return scope.effects.none();
        }
        scope.context.getLog().info("Replica {} repairs {} ({} steps) and clears its conflicts", scope.entityId,
                command.object(), command.steps().size());
        return scope.effects.persist(events).thenRun(after -> {
            Vnode repaired = after.vnode(command.object().vnode());
            reply(command.replyTo(), repaired == null ? new Result.Rejected(Status.STALE, command.object()
                    + " is gone") : new Result.Done(after.attr(repaired), true));
        });
    }
}
