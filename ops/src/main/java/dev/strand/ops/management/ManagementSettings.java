package dev.strand.ops.management;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import java.util.Map;

/**
 * Where a node's management endpoint listens (HTTP: /alive, /ready, /metrics, /cluster/members).
 * Loopback by default: it is unauthenticated, so reaching it from elsewhere is an explicit choice.
 *
 * @param port 0 = any free port (the server reports the one it bound)
 */
public record ManagementSettings(String host, int port) {

    public static ManagementSettings fromConfig(Config config) {
        return new ManagementSettings(config.getString("strand.management.host"),
                config.getInt("strand.management.port"));
    }

    public static ManagementSettings defaults() {
        return fromConfig(ConfigFactory.load());
    }

    public ManagementSettings withHost(String newHost) {
        return new ManagementSettings(newHost, port);
    }

    public ManagementSettings withPort(int newPort) {
        return new ManagementSettings(host, newPort);
    }

    /** What pekko-management must be told (one place: strand.management.* is the setting operators see). */
    public Config overrides() {
        return ConfigFactory.parseMap(Map.of(
                "pekko.management.http.hostname", host,
                "pekko.management.http.port", port));
    }
}
