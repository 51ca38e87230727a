package dev.strand.actors.connection;

/**
 * What the greeting tells a client about the server it reached.
 *
 * @param clusterId  a client that expects another cluster is refused (WRONG_CLUSTER)
 * @param serverId   this node, for humans and logs
 * @param serverTerm changes whenever this node starts; a client that sees a new term after a reconnect knows the
 *                   server behind its volumes changed and revalidates what it cached
 */
public record ServerIdentity(String clusterId, String serverId, long serverTerm) {}
