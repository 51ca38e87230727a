package dev.strand.actors.volume;

import dev.strand.volume.Vnode;
import dev.strand.volume.VnodeVersion;
import dev.strand.volume.Volume;
import dev.strand.volume.VolumeEvent;
import dev.strand.volume.VolumeReads;
import dev.strand.actors.volume.VolumeReplica.GetStats;
import dev.strand.actors.volume.VolumeReplica.OpenForFetch;
import dev.strand.actors.volume.VolumeReplica.PrepareStore;
import dev.strand.actors.volume.VolumeReplica.Result;
import dev.strand.actors.volume.VolumeReplica.Validate;
import dev.strand.protocol.StrandException;
import org.apache.pekko.persistence.typed.javadsl.Effect;

import java.util.List;

/** A replica's reads outside {@link VolumeReplica.Execute}: one file's store or fetch, one object's version, the figures. */
final class ReplicaQueries {

    private final ReplicaScope scope;

    ReplicaQueries(ReplicaScope scope) {
        this.scope = scope;
    }

    Effect<VolumeEvent, Volume> onPrepareStore(Volume volume, PrepareStore command) {
        try {
            // permission to write joins the check here when authentication lands
            command.replyTo().tell(new Result.Done(volume.attr(VolumeReads.regularFile(volume, command.fid()))));
            return scope.effects.none();
        } catch (StrandException e) {
            return scope.reject(command.replyTo(), e);
        }
    }

    Effect<VolumeEvent, Volume> onOpenForFetch(Volume volume, OpenForFetch command) {
        try {
            Vnode file = VolumeReads.regularFile(volume, command.fid());
            command.replyTo().tell(new Result.FetchTarget(volume.attr(file), file.blobId(), file.blobLength()));
            return scope.effects.none();
        } catch (StrandException e) {
            return scope.reject(command.replyTo(), e);
        }
    }

    Effect<VolumeEvent, Volume> onGetStats(Volume volume, GetStats command) {
        command.replyTo().tell(new Result.Stats(volume.volumeId(), volume.volumeName(), volume.createdMillis(),
                volume.files(), volume.directories(), volume.symlinks(), volume.bytes(),
                volume.versionVector().toList(), new ReplicaSummary(scope.replicaIndex, scope.entityId, scope.node(),
                true, volume.versionVector().toList(), volume.pendingCop2().size(), null,
                volume.resolutionLog().size(), volume.conflicts().size()), null));
        return scope.effects.none();
    }

    Effect<VolumeEvent, Volume> onValidate(Volume volume, Validate command) {
        try {
            Vnode vnode = volume.resolve(command.fid());
            VnodeVersion version = vnode.version();
            command.replyTo().tell(new Result.Validation(List.of(new ReplicaVersion(scope.replicaIndex, scope.node(),
                    true, version.versionVector().toList(), version.dataVersion(), null)), true));
        } catch (StrandException e) {
            return scope.reject(command.replyTo(), e);
        }
        return scope.effects.none();
    }
}
