package dev.strand.actors.volume;

import com.typesafe.config.Config;
import org.apache.pekko.actor.typed.ActorSystem;

import java.time.Duration;

/**
 * Tuning of the volume replicas, from {@code strand.volume} (defaults in reference.conf).
 *
 * @param blobDeleteDelay how long a freed blob is kept, so that fetches already reading it can finish
 * @param sweepInterval   how often a replica looks for blobs that no vnode references
 * @param idleBlobAge     how long a blob must have been untouched before the sweep deletes it (so that
 *                        blobs still being written are spared)
 * @param snapshotEvery   events between snapshots
 * @param snapshotsToKeep snapshots kept (older ones are deleted)
 */
public record VolumeSettings(Duration blobDeleteDelay, Duration sweepInterval, Duration idleBlobAge,
                             int snapshotEvery, int snapshotsToKeep) {

    /** Reads {@code strand.volume} of a whole configuration (the actor system's). */
    public static VolumeSettings fromConfig(Config config) {
        Config volume = config.getConfig("strand.volume");
        return new VolumeSettings(volume.getDuration("blob-delete-delay"), volume.getDuration("sweep-interval"),
                volume.getDuration("idle-blob-age"), volume.getInt("snapshot-every"),
                volume.getInt("snapshots-to-keep"));
    }

    public static VolumeSettings of(ActorSystem<?> system) {
        return fromConfig(system.settings().config());
    }
}
