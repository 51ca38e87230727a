package dev.strand.actors.volume;

import dev.strand.volume.ConflictTable;
import dev.strand.volume.ReplicaPages;
import dev.strand.volume.Vnode;
import dev.strand.volume.VnodeSync;
import dev.strand.volume.Volume;
import dev.strand.volume.VolumeEvent;
import dev.strand.volume.VolumeSnapshot;
import dev.strand.actors.volume.VolumeReplica.AdoptConflicts;
import dev.strand.actors.volume.VolumeReplica.AdoptRecentRequests;
import dev.strand.actors.volume.VolumeReplica.CompareVersions;
import dev.strand.actors.volume.VolumeReplica.CompleteCatchUp;
import dev.strand.actors.volume.VolumeReplica.InstallEntries;
import dev.strand.actors.volume.VolumeReplica.InstallVnodes;
import dev.strand.actors.volume.VolumeReplica.ListPendingOperations;
import dev.strand.actors.volume.VolumeReplica.ListPendingOperationsPage;
import dev.strand.actors.volume.VolumeReplica.ListVersions;
import dev.strand.actors.volume.VolumeReplica.ReadEntries;
import dev.strand.actors.volume.VolumeReplica.ReadRecentRequests;
import dev.strand.actors.volume.VolumeReplica.ReadVnodes;
import dev.strand.actors.volume.VolumeReplica.Result;
import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;
import dev.strand.protocol.error.BadRequestException;
import dev.strand.protocol.error.InvalidArgumentException;
import org.apache.pekko.persistence.typed.javadsl.Effect;

import java.util.List;

import static dev.strand.actors.volume.ReplicaScope.reply;

/**
 * A replica's side of catching up ({@link VnodeSync}): as a source it only reads; as a target it says which of
 * its operations wait for COP2 and persists what the source sent as its own events.
 */
final class CatchUpCommands {

    private final ReplicaScope scope;

    CatchUpCommands(ReplicaScope scope) {
        this.scope = scope;
    }

    // ---- the source's side: reads only -----------------------------------------------------------

    Effect<VolumeEvent, Volume> onListVersions(Volume volume, ListVersions command) {
        int max = Math.max(1, Math.min(command.max(), VnodeSync.SUMMARY_PAGE));
        List<VnodeSync.Summary> page = VnodeSync.summaries(volume, command.after(), max);
        boolean last = page.size() < max || !volume.vnodesAfter(page.get(page.size() - 1).vnode()).hasNext();
        command.replyTo().tell(new Result.Versions(page, last, volume.versionVector(), volume.nextVnodeNumber(),
                volume.nextUniquifier()));
        return scope.effects.none();
    }

    Effect<VolumeEvent, Volume> onReadVnodes(Volume volume, ReadVnodes command) {
        command.replyTo().tell(new Result.VnodeImages(VnodeSync.images(volume, command.vnodes(),
                scope.frames.pageBytes())));
        return scope.effects.none();
    }

    Effect<VolumeEvent, Volume> onReadEntries(Volume volume, ReadEntries command) {
        Vnode dir = volume.vnode(command.vnode());
        if (dir == null || !dir.isDirectory() || dir.version().dataVersion() != command.dataVersion()) {
            return scope.reject(command.replyTo(), Status.STALE.exception("directory " + command.vnode()
                    + " of volume " + scope.volumeId + " changed or went since its first entries were read"));
        }
        command.replyTo().tell(new Result.DirectoryEntries(VnodeSync.entries(dir, command.afterName(),
                scope.frames.pageBytes()), dir.version()));
        return scope.effects.none();
    }

    Effect<VolumeEvent, Volume> onReadRecentRequests(Volume volume, ReadRecentRequests command) {
        command.replyTo().tell(new Result.RecentRequestsPage(ReplicaPages.recentRequests(volume.recentRequests().page(
                command.skip(), Math.max(1, Math.min(command.max(), 1000))), scope.frames.pageBytes())));
        return scope.effects.none();
    }

    // ---- the target's side --------------------------------------------------------------------------

    Effect<VolumeEvent, Volume> onListPendingOperations(Volume volume, ListPendingOperations command) {
        if (volume.pendingCop2().size() > scope.frames.numbersPerPage()) { // would not fit one message
            return scope.reject(command.replyTo(), Status.UNAVAILABLE.exception("replica " + scope.entityId
                    + " waits COP2 for too many operations to list at once; ask for pages"));
        }
        command.replyTo().tell(new Result.PendingOperations(volume.pendingCop2().entries().stream()
                .map(dev.strand.cop2.PendingCop2.Entry::opId).toList()));
        return scope.effects.none();
    }

    Effect<VolumeEvent, Volume> onListPendingOperationsPage(Volume volume, ListPendingOperationsPage command) {
        int max = scope.frames.numbersPerPage();
        List<Long> page = ReplicaPages.pendingOperations(volume, command.skip(), max);
        command.replyTo().tell(new Result.PendingOperationsPage(page,
                Math.max(0, command.skip()) + page.size() >= volume.pendingCop2().size()));
        return scope.effects.none();
    }

    Effect<VolumeEvent, Volume> onCompareVersions(Volume volume, CompareVersions command) {
        command.replyTo().tell(new Result.Compared(VnodeSync.compare(volume, command.after(), command.source(),
                command.last())));
        return scope.effects.none();
    }

    Effect<VolumeEvent, Volume> onInstallVnodes(Volume volume, InstallVnodes command) {
        try {
            requireOtherReplica(volume, command.sourceReplica());
            for (VolumeSnapshot.VnodeRecord record : command.vnodes()) {
                if (record.versionVector() == null || record.versionVector().size() != volume.replicas()) {
                    throw new BadRequestException("vnode " + record.vnode() + " comes with a version vector of "
                            + (record.versionVector() == null ? 0 : record.versionVector().size())
                            + " slots; volume " + scope.volumeId + " has " + volume.replicas() + " replicas");
                }
            }
        } catch (StrandException e) {
            return scope.reject(command.replyTo(), e);
        }
        int items = command.vnodes().size() + (command.removed() == null ? 0 : command.removed().size());
        return scope.effects.persist(new VolumeEvent.VnodesInstalled(command.sourceReplica(), command.vnodes(),
                command.incomplete(), command.removed())).thenRun(after -> reply(command.replyTo(),
                new Result.Installed(items)));
    }

    Effect<VolumeEvent, Volume> onInstallEntries(Volume volume, InstallEntries command) {
        try {
            requireOtherReplica(volume, command.sourceReplica());
        } catch (StrandException e) {
            return scope.reject(command.replyTo(), e);
        }
        int items = command.entries() == null ? 0 : command.entries().size();
        return scope.effects.persist(new VolumeEvent.EntriesInstalled(command.sourceReplica(), command.vnode(),
                command.entries(), command.completedVersion())).thenRun(after -> reply(command.replyTo(),
                new Result.Installed(items)));
    }

    Effect<VolumeEvent, Volume> onAdoptRecentRequests(Volume volume, AdoptRecentRequests command) {
        try {
            requireOtherReplica(volume, command.sourceReplica());
        } catch (StrandException e) {
            return scope.reject(command.replyTo(), e);
        }
        int items = command.entries() == null ? 0 : command.entries().size();
        return scope.effects.persist(new VolumeEvent.RecentRequestsAdopted(command.sourceReplica(), command.entries()))
                .thenRun(after -> reply(command.replyTo(), new Result.Installed(items)));
    }

    Effect<VolumeEvent, Volume> onAdoptConflicts(Volume volume, AdoptConflicts command) {
        int items = command.conflicts() == null ? 0 : command.conflicts().size();
        try {
            requireOtherReplica(volume, command.sourceReplica());
            int held = command.first() ? 0 : volume.conflicts().size();
            if (held + items > ConflictTable.MAX_CONFLICTS) { // a source holds no more than the bound
                throw new BadRequestException(held + " conflicts and " + items + " more would pass the bound of "
                        + ConflictTable.MAX_CONFLICTS);
            }
        } catch (StrandException e) {
            return scope.reject(command.replyTo(), e);
        }
        return scope.effects.persist(new VolumeEvent.ConflictsAdopted(command.sourceReplica(), command.conflicts(),
                command.first())).thenRun(after -> reply(command.replyTo(), new Result.Installed(items)));
    }

    Effect<VolumeEvent, Volume> onCompleteCatchUp(Volume volume, CompleteCatchUp command) {
        try {
            requireOtherReplica(volume, command.sourceReplica());
            if (command.volumeVector() == null || command.volumeVector().size() != volume.replicas()) {
                throw new BadRequestException("a catch-up of volume " + scope.volumeId
                        + " must end with a version vector of " + volume.replicas() + " slots");
            }
        } catch (StrandException e) {
            return scope.reject(command.replyTo(), e);
        }
        scope.context.getLog().info("Replica {} caught up from replica {}: volume vector {} -> {}", scope.entityId,
                command.sourceReplica(), volume.versionVector(), command.volumeVector());
        return scope.effects.persist(new VolumeEvent.CaughtUp(command.sourceReplica(), command.volumeVector(),
                command.nextVnode(), command.nextUnique())).thenRun(after -> reply(command.replyTo(),
                new Result.Installed(0)));
    }

    private void requireOtherReplica(Volume volume, int sourceReplica) {
        if (sourceReplica == scope.replicaIndex || sourceReplica < 0 || sourceReplica >= volume.replicas()) {
            throw new InvalidArgumentException("replica " + scope.entityId + " cannot catch up from replica "
                    + sourceReplica + " of a storage group of " + volume.replicas());
        }
    }
}
