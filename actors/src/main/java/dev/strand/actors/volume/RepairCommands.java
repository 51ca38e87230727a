package dev.strand.actors.volume;

import dev.strand.actors.volume.VolumeReplica.ListConflicts;
import dev.strand.actors.volume.VolumeReplica.ReadObjectVersion;
import dev.strand.actors.volume.VolumeReplica.RepairNames;
import dev.strand.actors.volume.VolumeReplica.RepairObject;
import dev.strand.actors.volume.VolumeReplica.Result;
import dev.strand.conflictrepair.StepApplier;
import dev.strand.protocol.Status;
import dev.strand.protocol.message.Fid;
import dev.strand.volume.ConflictRecord;
import dev.strand.volume.DirectoryEntry;
import dev.strand.volume.FrameBudget;
import dev.strand.volume.Vnode;
import dev.strand.volume.VnodeSync;
import dev.strand.volume.Volume;
import dev.strand.volume.VolumeEvent;
import dev.strand.volume.VolumeSnapshot;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

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

    RepairCommands(ReplicaScope scope) {
        this.scope = scope;
        this.serialization = SerializationExtension.get(Adapter.toClassic(scope.context.getSystem()));
    }

    Effect<VolumeEvent, Volume> onListConflicts(Volume volume, ListConflicts command) {
        List<ConflictRecord> all = volume.conflicts().records();
        int max = command.max() <= 0 ? MAX_PAGE : Math.min(command.max(), MAX_PAGE);
        List<Result.ConflictEntry> page = new ArrayList<>();
        int left = scope.frames.pageBytes() - 64;
        int i = Math.max(0, command.skip());
        for (; i < all.size() && page.size() < max; i++) {
            int cost = serialization.serialize(all.get(i)).get().length + 16; // exact: the record as it travels
            if (cost > left && !page.isEmpty()) {
                break;
            }
            left -= cost;
            page.add(new Result.ConflictEntry(all.get(i), List.of(scope.replicaIndex)));
        }
        reply(command.replyTo(), new Result.ConflictsPage(page, i >= all.size()));
        return scope.effects.none();
    }

    Effect<VolumeEvent, Volume> onReadObjectVersion(Volume volume, ReadObjectVersion command) {
        reply(command.replyTo(), new Result.ObjectVersions(List.of(version(volume, command.dir(), command.name()))));
        return scope.effects.none();
    }

    private Result.ObjectVersion version(Volume volume, Fid dirFid, String name) {
        Vnode dir = dirFid == null || dirFid.volume() != volume.volumeId() ? null : volume.vnode(dirFid.vnode());
        if (dir == null || dir.unique() != dirFid.unique() || !dir.isDirectory()) {
            return problem("no directory " + dirFid + " here", List.of());
        }
        Set<ConflictRecord> conflicts = new LinkedHashSet<>();
        if (name == null) { // the directory itself: its version, for the stamp of a repair of its names
            return new Result.ObjectVersion(scope.replicaIndex, scope.node(), true, dir.toRecord(List.of()), false,
                    null, List.of());
        }
        ConflictRecord ofName = volume.conflicts().ofName(dir.number(), name);
        if (ofName != null) {
            conflicts.add(ofName);
        }
        DirectoryEntry entry = dir.entry(name);
        Vnode object = entry == null ? null : volume.vnode(entry);
        if (object == null) {
            return problem("no entry '" + name + "' in " + dirFid + " here", List.copyOf(conflicts));
        }
        conflicts.addAll(volume.conflicts().involving(object.number()));
        // a directory's entries, as many as fit this replica's share of half a page: the coordinator sends every
        // replica's version in one answer (the rest of each version is small)
        List<VolumeSnapshot.EntryRecord> entries = new ArrayList<>();
        int left = scope.frames.pageBytes() / (2 * Math.max(1, volume.replicas()));
        boolean complete = true;
        for (VolumeSnapshot.EntryRecord e : object.entryRecords()) {
            int cost = VnodeSync.ENTRY_RECORD_BYTES + FrameBudget.text(e.name());
            if (cost > left) {
                complete = false;
                break;
            }
            left -= cost;
            entries.add(e);
        }
        return new Result.ObjectVersion(scope.replicaIndex, scope.node(), true, object.toRecord(entries), complete,
                null, List.copyOf(conflicts));
    }

    private Result.ObjectVersion problem(String problem, List<ConflictRecord> conflicts) {
        return new Result.ObjectVersion(scope.replicaIndex, scope.node(), true, null, true, problem, conflicts);
    }

    /**
     * {@code strand repair dir} on this replica: the directory's entries as the coordinator decided them, the kept
     * objects installed as given, the others removed, the directory stamped, the conflicts ended; one write. Refused
     * (CHANGED, nothing done) if this replica's state is not what the coordinator read.
     */
    Effect<VolumeEvent, Volume> onRepairNames(Volume volume, RepairNames command) {
        Vnode dir = volume.vnode(command.dir().vnode());
        if (dir == null || dir.unique() != command.dir().unique() || !dir.isDirectory()) {
            return changed(command, "no directory " + command.dir() + " here");
        }
        VolumeSnapshot.VnodeRecord d = dir.toRecord(dir.entryRecords());
        java.util.Map<String, VolumeSnapshot.EntryRecord> entries = new java.util.TreeMap<>();
        d.entries().forEach(e -> entries.put(e.name(), e));
        command.names().forEach(entries::remove);
        for (VolumeSnapshot.EntryRecord b : command.bindings()) {
            if (entries.put(b.name(), b) != null) {
                return changed(command, "'" + b.name() + "' exists in " + command.dir() + " here");
            }
        }
        List<Long> removed = new ArrayList<>();
        for (Fid f : command.dropped()) {
            Vnode gone = volume.vnode(f.vnode());
            if (gone == null || gone.unique() != f.unique()) {
                continue; // this replica never had it
            }
            if (gone.isDirectory() || gone.linkCount() > 1) {
                return changed(command, f + " is a directory or has other names here");
            }
            removed.add(f.vnode());
        }
        for (VolumeSnapshot.VnodeRecord o : command.objects()) {
            Vnode there = volume.vnode(o.vnode());
            if (there != null && (there.unique() != o.unique() || there.type() != o.type())) {
                return changed(command, "vnode " + o.vnode() + " is another object here");
            }
        }
        dev.strand.conflictrepair.PlanStep.Stamp s = command.dirStamp();
        List<VolumeSnapshot.VnodeRecord> installed = new ArrayList<>();
        installed.add(new VolumeSnapshot.VnodeRecord(d.vnode(), d.unique(), d.type(), d.mode(), d.owner(), d.size(),
                d.linkCount(), s.mtimeMillis(), s.ctimeMillis(), s.dataVersion(), s.versionVector(), d.blobId(),
                d.blobLength(), d.symlinkTarget(), d.parent(), List.copyOf(entries.values())));
        installed.addAll(command.objects());
        scope.context.getLog().info("Replica {} repairs names {} of {} and clears their conflicts", scope.entityId,
                command.names(), command.dir());
        return scope.effects.persist(List.of(
                new VolumeEvent.VnodesInstalled(scope.replicaIndex, installed, List.of(), removed),
                new VolumeEvent.NamesRepaired(command.dir(), command.names(), command.cleared()))).thenRun(after ->
                reply(command.replyTo(), new Result.Done(after.attr(after.vnode(command.dir().vnode())), true)));
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
            events = new ArrayList<>(StepApplier.decide(volume, scope.replicaIndex, command.steps()));
        } catch (RuntimeException refused) { // the object is not what the coordinator read: nothing is done
            reply(command.replyTo(), new Result.Rejected(Status.CHANGED, "replica " + scope.entityId
                    + " cannot repair " + command.object() + ": " + refused.getMessage()));
            return scope.effects.none();
        }
        events.add(new VolumeEvent.ConflictRepaired(command.object()));
        scope.context.getLog().info("Replica {} repairs {} ({} steps) and clears its conflicts", scope.entityId,
                command.object(), command.steps().size());
        return scope.effects.persist(events).thenRun(after -> {
            Vnode repaired = after.vnode(command.object().vnode());
            reply(command.replyTo(), repaired == null ? new Result.Rejected(Status.STALE, command.object()
                    + " is gone") : new Result.Done(after.attr(repaired), true));
        });
    }
}
