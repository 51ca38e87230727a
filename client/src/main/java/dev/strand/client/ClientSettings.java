package dev.strand.client;

import dev.strand.protocol.error.InvalidArgumentException;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a client connects and introduces itself.
 *
 * @param servers          where to connect, tried in this order; after a lost connection the client goes round
 *                         them until one answers (any server of the cluster serves every volume)
 * @param clientId         stable for one client object: the server recognises retries by it; null (the default):
 *                         the one the server issues at the first greeting, kept for the connection's life
 * @param connectTimeout   for the TCP connect
 * @param greetingTimeout  for the server's answer to the greeting
 * @param reconnectTimeout how long a lost connection is tried again before the requests waiting on it fail with
 *                         UNAVAILABLE (or OutcomeUnknownException, for a change that was sent), and how long a change
 *                         answered TIMEOUT or UNAVAILABLE is sent again to learn its outcome; zero: neither
 */
public record ClientSettings(List<ServerAddress> servers, String clusterId, String clientName, String clientId,
                             Duration connectTimeout, Duration greetingTimeout, Duration reconnectTimeout) {

    public static final String DEFAULT_CLUSTER_ID = "strand";
    public static final String DEFAULT_CLIENT_NAME = "strand-java-client";
    public static final Duration DEFAULT_RECONNECT_TIMEOUT = Duration.ofSeconds(60);

    public ClientSettings {
        Objects.requireNonNull(servers, "servers");
        servers = List.copyOf(servers);
        if (servers.isEmpty()) {
            throw new InvalidArgumentException("no server to connect to");
        }
        clusterId = clusterId == null ? DEFAULT_CLUSTER_ID : clusterId;
        clientName = clientName == null ? DEFAULT_CLIENT_NAME : clientName;
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(10) : connectTimeout;
        greetingTimeout = greetingTimeout == null ? Duration.ofSeconds(30) : greetingTimeout;
        reconnectTimeout = reconnectTimeout == null ? DEFAULT_RECONNECT_TIMEOUT : reconnectTimeout;
        if (reconnectTimeout.isNegative()) {
            throw new InvalidArgumentException("negative reconnect timeout");
        }
    }

    /** Defaults for everything but the server; the client id the server issues. */
    public static ClientSettings of(ServerAddress server) {
        return of(List.of(server));
    }

    /** Defaults for everything but the servers; the client id the server issues. */
    public static ClientSettings of(List<ServerAddress> servers) {
        return new ClientSettings(servers, null, null, null, null, null, null);
    }

    /** The first server: the one a new client tries first. */
    public ServerAddress server() {
        return servers.get(0);
    }

    public ClientSettings withServers(List<ServerAddress> list) {
        return new ClientSettings(list, clusterId, clientName, clientId, connectTimeout, greetingTimeout, reconnectTimeout);
    }

    public ClientSettings withClusterId(String id) {
        return new ClientSettings(servers, id, clientName, clientId, connectTimeout, greetingTimeout, reconnectTimeout);
    }

    public ClientSettings withClientName(String name) {
        return new ClientSettings(servers, clusterId, name, clientId, connectTimeout, greetingTimeout, reconnectTimeout);
    }

    public ClientSettings withClientId(String id) {
        return new ClientSettings(servers, clusterId, clientName, id, connectTimeout, greetingTimeout, reconnectTimeout);
    }

    public ClientSettings withConnectTimeout(Duration timeout) {
        return new ClientSettings(servers, clusterId, clientName, clientId, timeout, greetingTimeout, reconnectTimeout);
    }

    public ClientSettings withGreetingTimeout(Duration timeout) {
        return new ClientSettings(servers, clusterId, clientName, clientId, connectTimeout, timeout, reconnectTimeout);
    }

    /** {@link Duration#ZERO}: a lost connection fails its requests at once. */
    public ClientSettings withReconnectTimeout(Duration timeout) {
        return new ClientSettings(servers, clusterId, clientName, clientId, connectTimeout, greetingTimeout, timeout);
    }
}
