package dev.strand.actors.connection;

import com.typesafe.config.Config;
import dev.strand.protocol.ProtocolLimits;

import java.time.Duration;

/**
 * The bounds a node puts on its client connections (settings {@code strand.connections.*}, defaults in
 * reference.conf). With them a connection's memory and lifetime are bounded whatever its client sends.
 *
 * @param maxConnections   connections served at once; one more is sent an ERROR {@code UNAVAILABLE} and closed
 * @param helloTimeout     a connection that has not greeted successfully this long after it opened is closed
 * @param idleTimeout      a connection on which nothing moved (no byte received, none taken by the client)
 *                         this long is closed; a closing connection whose client does not read is cut off
 * @param frameTimeout     a frame must be complete this long after its first byte arrived
 * @param maxOutboxBytes   reading from the client pauses while this much is queued for it and not yet sent
 * @param closeTimeout     how long a closing connection may take to hand its last bytes to the client
 * @param maxRequestsInFlight requests one connection may have in flight (announced in HelloReply); reading from
 *                         the client pauses while this many are in flight, 1 to the protocol's
 *                         {@link ProtocolLimits#MAX_REQUESTS_IN_FLIGHT}
 */
public record ConnectionSettings(int maxConnections, Duration helloTimeout, Duration idleTimeout,
                                 Duration frameTimeout, long maxOutboxBytes, Duration closeTimeout,
                                 int maxRequestsInFlight) {

    public ConnectionSettings {
        if (maxConnections < 1 || maxOutboxBytes < 1) {
            throw new IllegalArgumentException("strand.connections: max-connections and max-outbox must be positive");
        }
        if (maxRequestsInFlight < 1 || maxRequestsInFlight > ProtocolLimits.MAX_REQUESTS_IN_FLIGHT) {
            throw new IllegalArgumentException("strand.connections.max-requests-in-flight must be 1 to "
                    + ProtocolLimits.MAX_REQUESTS_IN_FLIGHT + ", got " + maxRequestsInFlight);
        }
        for (Duration d : new Duration[]{helloTimeout, idleTimeout, frameTimeout, closeTimeout}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("strand.connections: timeouts must be positive, got " + d);
            }
        }
    }

    /** With the protocol's default in-flight limit. */
    public ConnectionSettings(int maxConnections, Duration helloTimeout, Duration idleTimeout, Duration frameTimeout,
                              long maxOutboxBytes, Duration closeTimeout) {
        this(maxConnections, helloTimeout, idleTimeout, frameTimeout, maxOutboxBytes, closeTimeout,
                ProtocolLimits.MAX_REQUESTS_IN_FLIGHT);
    }

    public static ConnectionSettings fromConfig(Config config) {
        Config c = config.getConfig("strand.connections");
        return new ConnectionSettings(c.getInt("max-connections"), c.getDuration("hello-timeout"),
                c.getDuration("idle-timeout"), c.getDuration("frame-timeout"),
                c.getMemorySize("max-outbox").toBytes(), c.getDuration("close-timeout"),
                c.getInt("max-requests-in-flight"));
    }
}
