package dev.strand.actors.volume;

import com.typesafe.config.Config;
import dev.strand.volume.ResolutionLog;
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
 * @param cop2Expiry      how long a replica keeps an operation waiting for its COP2 update set
 * @param resolutionLogLimit the most entries a replica's resolution log keeps ({@link ResolutionLog})
 */
public record VolumeSettings(Duration blobDeleteDelay, Duration sweepInterval, Duration idleBlobAge,
                             int snapshotEvery, int snapshotsToKeep, Duration cop2Expiry, int resolutionLogLimit) {

    /** Coda's default: a pending COP2 expires after 900 s. */
    public static final Duration DEFAULT_COP2_EXPIRY = Duration.ofSeconds(900);

    public VolumeSettings(Duration blobDeleteDelay, Duration sweepInterval, Duration idleBlobAge,
                          int snapshotEvery, int snapshotsToKeep) {
        this(blobDeleteDelay, sweepInterval, idleBlobAge, snapshotEvery, snapshotsToKeep, DEFAULT_COP2_EXPIRY);
    }

    public VolumeSettings(Duration blobDeleteDelay, Duration sweepInterval, Duration idleBlobAge,
                          int snapshotEvery, int snapshotsToKeep, Duration cop2Expiry) {
        this(blobDeleteDelay, sweepInterval, idleBlobAge, snapshotEvery, snapshotsToKeep, cop2Expiry,
                ResolutionLog.DEFAULT_LIMIT);
    }

    public VolumeSettings {
        if (resolutionLogLimit < 1) {
            throw new IllegalArgumentException("strand.volume.resolution-log-limit must be at least 1, not "
                    + resolutionLogLimit);
        }
    }

    /** Reads {@code strand.volume} of a whole configuration (the actor system's). */
    public static VolumeSettings fromConfig(Config config) {
        Config volume = config.getConfig("strand.volume");
        return new VolumeSettings(volume.getDuration("blob-delete-delay"), volume.getDuration("sweep-interval"),
                volume.getDuration("idle-blob-age"), volume.getInt("snapshot-every"),
                volume.getInt("snapshots-to-keep"),
                volume.hasPath("cop2-expiry") ? volume.getDuration("cop2-expiry") : DEFAULT_COP2_EXPIRY,
                volume.hasPath("resolution-log-limit") ? volume.getInt("resolution-log-limit")
                        : ResolutionLog.DEFAULT_LIMIT);
    }

    public static VolumeSettings of(ActorSystem<?> system) {
        return fromConfig(system.settings().config());
    }
}
