package dev.strand.client;

import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * How a client connects and introduces itself.
 *
 * @param clientId        stable for one client object: the server recognises retries by it
 * @param connectTimeout  for the TCP connect
 * @param greetingTimeout for the server's answer to the greeting
 */
public record ClientSettings(ServerAddress server, String clusterId, String clientName, String clientId,
                             Duration connectTimeout, Duration greetingTimeout) {

    public static final String DEFAULT_CLUSTER_ID = "strand";
    public static final String DEFAULT_CLIENT_NAME = "strand-java-client";

    public ClientSettings {
        Objects.requireNonNull(server, "server");
        clusterId = clusterId == null ? DEFAULT_CLUSTER_ID : clusterId;
        clientName = clientName == null ? DEFAULT_CLIENT_NAME : clientName;
        clientId = clientId == null ? UUID.randomUUID().toString() : clientId;
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(10) : connectTimeout;
        greetingTimeout = greetingTimeout == null ? Duration.ofSeconds(30) : greetingTimeout;
    }

    /** Defaults for everything but the server; a fresh client id. */
    public static ClientSettings of(ServerAddress server) {
        return new ClientSettings(server, null, null, null, null, null);
    }

    public ClientSettings withClusterId(String id) {
        return new ClientSettings(server, id, clientName, clientId, connectTimeout, greetingTimeout);
    }

    public ClientSettings withClientName(String name) {
        return new ClientSettings(server, clusterId, name, clientId, connectTimeout, greetingTimeout);
    }

    public ClientSettings withClientId(String id) {
        return new ClientSettings(server, clusterId, clientName, id, connectTimeout, greetingTimeout);
    }

    public ClientSettings withConnectTimeout(Duration timeout) {
        return new ClientSettings(server, clusterId, clientName, clientId, timeout, greetingTimeout);
    }

    public ClientSettings withGreetingTimeout(Duration timeout) {
        return new ClientSettings(server, clusterId, clientName, clientId, connectTimeout, timeout);
    }
}
