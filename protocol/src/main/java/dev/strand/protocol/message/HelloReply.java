package dev.strand.protocol.message;

/**
 * The server's answer to the greeting.
 *
 * @param serverTerm changes whenever the server behind the client's volumes changes (restart, failover);
 *                   a client that sees a new term knows its cached state must be revalidated
 * @param sessionId  this connection's session, for logs and later for callbacks
 */
public record HelloReply(int protocolVersion, String clusterId, String serverId, long serverTerm,
                         long sessionId, int maxBodyLength, int maxRequestsInFlight) implements Reply {}
