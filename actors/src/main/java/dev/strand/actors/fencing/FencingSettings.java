package dev.strand.actors.fencing;

import com.typesafe.config.Config;

import java.time.Duration;

/**
 * The node lease's timing, from {@code strand.fencing} (defaults in reference.conf).
 *
 * @param leaseDuration how long a lease row lives after a renewal (its Cassandra TTL, rounded up to seconds)
 * @param renewInterval how often the holder renews
 * @param safetyMargin  how much earlier than the row the holder stops trusting its lease (clock rates, GC between
 *                      the check and the write)
 */
public record FencingSettings(Duration leaseDuration, Duration renewInterval, Duration safetyMargin) {

    public FencingSettings {
        if (safetyMargin.isNegative() || safetyMargin.compareTo(leaseDuration) >= 0) {
            throw new IllegalArgumentException("strand.fencing.safety-margin (" + safetyMargin
                    + ") must be at least 0 and shorter than strand.fencing.lease-duration (" + leaseDuration + ")");
        }
        if (renewInterval.isNegative() || renewInterval.isZero()
                || renewInterval.compareTo(leaseDuration.minus(safetyMargin)) >= 0) {
            throw new IllegalArgumentException("strand.fencing.renew-interval (" + renewInterval
                    + ") must be positive and shorter than lease-duration - safety-margin ("
                    + leaseDuration.minus(safetyMargin) + "), else the lease lapses between renewals");
        }
    }

    /** How long after a renewal was sent the holder may still write. */
    public Duration trusted() {
        return leaseDuration.minus(safetyMargin);
    }

    /**
     * Reads {@code strand.fencing} and checks that a silent node's lease ends before the cluster downs it
     * ({@code pekko.cluster.failure-detector.acceptable-heartbeat-pause} + {@code split-brain-resolver.stable-after}):
     * else its replicas, restarted on the survivors, would wait for the lease rather than serve at once.
     */
    public static FencingSettings fromConfig(Config config) {
        Config fencing = config.getConfig("strand.fencing");
        FencingSettings settings = new FencingSettings(fencing.getDuration("lease-duration"),
                fencing.getDuration("renew-interval"), fencing.getDuration("safety-margin"));
        Duration downing = config.getDuration("pekko.cluster.failure-detector.acceptable-heartbeat-pause")
                .plus(config.getDuration("pekko.cluster.split-brain-resolver.stable-after"));
        if (settings.leaseDuration().compareTo(downing) >= 0) {
            throw new IllegalArgumentException("strand.fencing.lease-duration (" + settings.leaseDuration()
                    + ") must be shorter than the time the cluster takes to down a silent node, "
                    + "pekko.cluster.failure-detector.acceptable-heartbeat-pause + "
                    + "pekko.cluster.split-brain-resolver.stable-after (" + downing + ")");
        }
        return settings;
    }
}
